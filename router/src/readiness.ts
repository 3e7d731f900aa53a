import { SERVICE, signIdentity } from '@supergraph/identity';

export interface SubgraphProbe {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

/** Asks one subgraph a trivial signed query: it proves the process, its schema and our secret all work. */
export async function probeSubgraph(url: string, signingSecret: string, timeoutMs: number): Promise<SubgraphProbe> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signIdentity(SERVICE, signingSecret) },
      body: '{"query":"{ __typename }"}',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as { data?: { __typename?: string } };
    if (response.ok && body.data?.__typename) return { ok: true, latencyMs: latency() };
    return { ok: false, latencyMs: latency(), error: `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, latencyMs: latency(), error: error instanceof Error ? error.message : String(error) };
  }
}
