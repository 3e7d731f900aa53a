import { SERVICE, signIdentity } from '@supergraph/identity';
import { traceCarrier } from '@supergraph/server';

/**
 * One GraphQL call to another subgraph, directly (not through the router), signed with the
 * SERVICE identity: how one service reaches another's service-only fields. Errors in the answer are thrown.
 * The call carries the trace it is part of (W3C traceparent), so the other subgraph's spans join it.
 */
export async function callService<T>(
  target: { url: string; signingSecret: string; timeoutMs: number; name: string },
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  const response = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signIdentity(SERVICE, target.signingSecret), ...traceCarrier() },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(target.timeoutMs),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length || !body.data) {
    const first = body.errors?.[0];
    throw new Error(`${target.name} subgraph refused (${first?.extensions?.code ?? response.status}): ${first?.message ?? 'no data'}`);
  }
  return body.data;
}
