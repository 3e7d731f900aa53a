import type { Fetcher, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import { IDENTITY_HEADER } from '@supergraph/identity';
import { InFlight } from '@supergraph/server';
import { BufferedResponse, ResponseHeaders } from './http-fetcher';

/**
 * Shares one subgraph round trip among identical query fetches that are in flight at the same
 * moment: same subgraph, same operation and variables, same identity. Under load many clients
 * ask the same thing at once; each still gets its own parsed copy of the answer, so no request
 * can see another's objects. Mutations are never shared.
 */
export function dedupingFetcher(base: Fetcher): Fetcher & { readonly inFlight: number } {
  const inFlight = new InFlight<BufferedResponse>();
  const fetcher = async (url: string, init?: FetcherRequestInit): Promise<FetcherResponse> => {
    const body = init?.body;
    if (typeof body !== 'string' || !isQuery(body)) return base(url, init);
    const key = `${url}\u0000${identityOf(init?.headers)}\u0000${body}`;
    const { result } = inFlight.run(key, () => base(url, init).then(buffered));
    return (await result).clone();
  };
  return Object.defineProperty(fetcher, 'inFlight', { get: () => inFlight.size }) as Fetcher & { readonly inFlight: number };
}

/** The gateway sends `{"query":"query …` or `{"query":"{ …`; only those are safe to share. */
function isQuery(body: string): boolean {
  return body.startsWith('{"query":"query') || body.startsWith('{"query":"{');
}

function identityOf(headers: FetcherRequestInit['headers']): string {
  if (!headers) return '';
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as unknown as { get(name: string): string | null }).get(IDENTITY_HEADER) ?? '';
  const record = headers as Record<string, string>;
  return record[IDENTITY_HEADER] ?? '';
}

/** The whole answer in memory, so every caller can read (and parse) it for itself. */
async function buffered(response: FetcherResponse): Promise<BufferedResponse> {
  if (response instanceof BufferedResponse) return response;
  const headers = new ResponseHeaders();
  for (const [name, value] of response.headers) headers.set(name, value);
  return new BufferedResponse(response.url, response.status, response.statusText, headers, await response.text());
}
