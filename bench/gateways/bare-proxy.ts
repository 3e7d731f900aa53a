/**
 * The floor under any router written in Node: an HTTP server that forwards each request body to
 * one upstream over a keep-alive connection and streams the answer back, doing nothing else.
 *   node --import tsx bench/gateways/bare-proxy.ts <port> <upstream url>
 */
import { Agent, createServer, request as forward } from 'node:http';

const [port, upstream] = process.argv.slice(2) as [string, string];
const target = new URL(upstream);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

createServer((incoming, outgoing) => {
  const upstreamRequest = forward(
    {
      agent,
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': incoming.headers['content-length'] ?? '0' },
    },
    (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json' });
      answer.pipe(outgoing);
    },
  );
  upstreamRequest.on('error', () => {
    outgoing.writeHead(502);
    outgoing.end();
  });
  incoming.pipe(upstreamRequest);
}).listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
