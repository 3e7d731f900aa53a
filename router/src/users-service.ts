import { SERVICE, signIdentity } from '@supergraph/identity';

/**
 * Asks the users subgraph something only the router may ask (who owns an API key, a user's tier),
 * signed as the router's own SERVICE identity. Throws when it does not answer with data.
 */
export async function askUsers<T>(url: string, signingSecret: string, query: string, variables: Record<string, unknown>, timeoutMs?: number): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signIdentity(SERVICE, signingSecret) },
    body: JSON.stringify({ query, variables }),
    ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
  });
  const result = (await response.json()) as { data?: T; errors?: unknown[] };
  if (!result.data || result.errors) throw new Error(`the users subgraph did not answer: ${JSON.stringify(result.errors ?? response.status)}`);
  return result.data;
}
