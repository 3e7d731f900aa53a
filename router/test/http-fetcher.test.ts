import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pooledFetcher } from '../src/http-fetcher';
import { failureReason } from '../src/resilience';
import { freePort } from './fleet';

/** The router's subgraph HTTP client: keep-alive pools, whole bodies, failures the breaker understands. */
describe('pooledFetcher', () => {
  let server: Server;
  let url: string;
  let connections = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/stall') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"data":'); // ...and never the rest
        return;
      }
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        response.writeHead(201, { 'content-type': 'application/json', 'cache-control': 'public, max-age=60' });
        response.end(JSON.stringify({ echoed: body, identity: request.headers['x-supergraph-identity'] ?? null }));
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the request and answers with status, headers and a body each caller parses for itself', async () => {
    const fetcher = pooledFetcher({ maxSocketsPerOrigin: 4 });
    const response = await fetcher(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-supergraph-identity': 'abc' },
      body: '{"query":"{ a }"}',
    });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=60');
    const first = await response.json();
    expect(first).toEqual({ echoed: '{"query":"{ a }"}', identity: 'abc' });
    expect(await response.clone().json()).not.toBe(first);
  });

  it('keeps connections alive between requests', async () => {
    const fetcher = pooledFetcher({ maxSocketsPerOrigin: 4 });
    const before = connections;
    for (let index = 0; index < 5; index++) await (await fetcher(`${url}/graphql`, { method: 'POST', body: '{}' })).text();
    expect(connections - before).toBe(1);
  });

  it('turns a timeout, even in the middle of a body, into a timeout', async () => {
    const fetcher = pooledFetcher({ maxSocketsPerOrigin: 4 });
    const error = await fetcher(`${url}/stall`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(200) }).catch((caught: unknown) => caught);
    expect(failureReason(error)).toBe('timeout');
  });

  it('turns a refused connection into an unreachable subgraph', async () => {
    const fetcher = pooledFetcher({ maxSocketsPerOrigin: 4 });
    const error = await fetcher(`http://127.0.0.1:${await freePort()}/graphql`, { method: 'POST', body: '{}' }).catch((caught: unknown) => caught);
    expect(failureReason(error)).toBe('unreachable');
  });
});
