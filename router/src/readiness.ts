import { SERVICE, signIdentity } from '@supergraph/identity';
import type { CircuitBreaker } from './resilience';

export interface SubgraphProbe {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

/** Asks one subgraph a trivial signed query: it proves the process, its schema and our secret all work. */
async function askSubgraph(url: string, signingSecret: string, timeoutMs: number): Promise<SubgraphProbe> {
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

/**
 * Whether the router can serve a subgraph's fields now: the subgraph answers AND its breaker lets
 * fetches through. The probe goes through the breaker like any fetch: while the breaker is open (or
 * its half-open trial is out) fetches short-circuit, so the subgraph is not ready whatever it would
 * answer; once the reset time has passed, the probe is the breaker's half-open trial and its outcome
 * closes or reopens it. So /ready never says 200 while answers are still partial, and never stays 503
 * only because no traffic came to close a breaker (an orchestrator sends none to a pod not ready).
 */
export async function probeSubgraph(
  subgraph: { readonly url?: string; readonly breaker: CircuitBreaker },
  signingSecret: string,
  timeoutMs: number,
): Promise<SubgraphProbe> {
  if (!subgraph.breaker.allow()) return { ok: false, latencyMs: 0, error: `circuit ${subgraph.breaker.state}` };
  const probe = await askSubgraph(subgraph.url!, signingSecret, timeoutMs);
  if (probe.ok) subgraph.breaker.success();
  else subgraph.breaker.failure();
  return probe;
}
