import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';

/**
 * Serves an Apollo Server on plain node:http. We own this adapter (rather than pulling in a web
 * framework) because it is small and sits on the router's hot path.
 */
export function graphqlHttpHandler<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  context: (request: IncomingMessage) => Promise<TContext>,
  options: { maxBodyBytes: number },
) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = new URL(request.url ?? '/', 'http://localhost');

    let body: unknown;
    if (request.method === 'POST') {
      const read = await readBody(request, options.maxBodyBytes);
      if (read.kind === 'tooLarge') {
        return sendJsonError(response, 413, 'REQUEST_TOO_LARGE', `Request body is larger than ${options.maxBodyBytes} bytes`);
      }
      body = read.text;
      if ((headers.get('content-type') ?? '').includes('json') && read.text.length > 0) {
        try {
          body = JSON.parse(read.text);
        } catch {
          return sendJsonError(response, 400, 'BAD_REQUEST', 'Request body is not valid JSON');
        }
      }
    }

    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method ?? 'GET', headers, search: url.search, body },
      context: () => context(request),
    });
    for (const [name, value] of result.headers) response.setHeader(name, value);
    response.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      response.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) response.write(chunk);
    response.end();
  };
}

type BodyRead = { kind: 'ok'; text: string } | { kind: 'tooLarge' };

function readBody(request: IncomingMessage, limit: number): Promise<BodyRead> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) {
    request.resume();
    return Promise.resolve({ kind: 'tooLarge' });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        resolve({ kind: 'tooLarge' });
      } else {
        chunks.push(chunk);
      }
    });
    request.on('end', () => resolve({ kind: 'ok', text: Buffer.concat(chunks).toString('utf8') }));
    request.on('error', reject);
  });
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

export function sendJsonError(response: ServerResponse, status: number, code: string, message: string): void {
  sendJson(response, status, { errors: [{ message, extensions: { code } }] });
}
