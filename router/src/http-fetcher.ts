import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Fetcher, FetcherHeaders, FetcherResponse } from '@apollo/utils.fetcher';

/**
 * The router's HTTP client for subgraph fetches: Node's own HTTP client over keep-alive
 * connection pools, answering with the whole body already read. The WHATWG fetch in Node wraps
 * every request and response in web streams and objects the gateway never uses; on the router's
 * hot path that wrapping cost more than the subgraph's own answer.
 */
export function pooledFetcher(options: { maxSocketsPerOrigin: number }): Fetcher {
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, maxSockets: options.maxSocketsPerOrigin }),
    'https:': new HttpsAgent({ keepAlive: true, maxSockets: options.maxSocketsPerOrigin }),
  };
  return (url, init = {}) =>
    new Promise<FetcherResponse>((resolve, reject) => {
      const target = new URL(url);
      const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const signal = init.signal as AbortSignal | undefined;
      const request = send(target, { method: init.method ?? 'GET', headers: init.headers, agent, signal }, (response) => {
        readBody(response, signal).then(
          (body) => resolve(new BufferedResponse(url, response.statusCode ?? 0, response.statusMessage ?? '', headersOf(response.headers), body)),
          reject,
        );
      });
      request.on('error', reject);
      request.end(init.body);
    });
}

function readBody(response: IncomingMessage, signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    // A timeout that strikes mid-body is still a timeout, not a lost connection.
    const fail = (error: unknown) => reject(signal?.aborted ? signal.reason : error);
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', fail);
    response.on('close', () => {
      if (!response.complete) fail(Object.assign(new Error('subgraph closed the connection mid-response'), { code: 'ECONNRESET' }));
    });
  });
}

function headersOf(raw: IncomingHttpHeaders): ResponseHeaders {
  const headers = new ResponseHeaders();
  for (const [name, value] of Object.entries(raw)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  return headers;
}

/** A response whose body is in memory: each `json()` parses afresh, so callers never share objects. */
export class BufferedResponse implements FetcherResponse {
  readonly bodyUsed = false;
  readonly redirected = false;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    readonly headers: ResponseHeaders,
    private readonly body: string,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  async text(): Promise<string> {
    return this.body;
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.body);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = Buffer.from(this.body, 'utf8');
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  clone(): BufferedResponse {
    return new BufferedResponse(this.url, this.status, this.statusText, this.headers, this.body);
  }
}

/** Response headers, names in lower case (as Node delivers them). */
export class ResponseHeaders implements FetcherHeaders {
  private readonly byName = new Map<string, string>();

  get(name: string): string | null {
    return this.byName.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.byName.has(name.toLowerCase());
  }
  set(name: string, value: string): void {
    this.byName.set(name.toLowerCase(), value);
  }
  append(name: string, value: string): void {
    const existing = this.get(name);
    this.set(name, existing === null ? value : `${existing}, ${value}`);
  }
  delete(name: string): void {
    this.byName.delete(name.toLowerCase());
  }
  entries(): IterableIterator<[string, string]> {
    return this.byName.entries();
  }
  keys(): IterableIterator<string> {
    return this.byName.keys();
  }
  values(): IterableIterator<string> {
    return this.byName.values();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.byName.entries();
  }
}
