import { SERVICE, signIdentity } from '@supergraph/identity';
import { traceCarrier } from '@supergraph/server';

/** Another subgraph as one service calls it. */
export interface ServiceTarget {
  /** Its GraphQL endpoint, called directly (not through the router). */
  url: string;
  /** ROUTER_SIGNING_SECRET: signs the SERVICE identity. */
  signingSecret: string;
  /** How long one call may take before it is abandoned. */
  timeoutMs: number;
  /** The subgraph's name, for error messages. */
  name: string;
}

/**
 * One GraphQL call to another subgraph, directly (not through the router), signed with the
 * SERVICE identity: how one service reaches another's service-only fields. Errors in the answer are thrown.
 * The call carries the trace it is part of (W3C traceparent), so the other subgraph's spans join it.
 */
export async function callService<T>(target: ServiceTarget, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signIdentity(SERVICE, target.signingSecret), ...traceCarrier() },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(target.timeoutMs),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  if (body.errors?.length || !body.data) {
    const first = body.errors?.[0];
    throw new ServiceCallError(target.name, first?.message ?? 'no data', first?.extensions ?? {}, response.status);
  }
  return body.data;
}

/** The other subgraph's first error, with its `extensions` (code and details) kept for callers that pass it on. */
export class ServiceCallError extends Error {
  readonly code: string;

  constructor(
    service: string,
    readonly reason: string,
    readonly extensions: Record<string, unknown>,
    status: number,
  ) {
    const code = typeof extensions.code === 'string' ? extensions.code : String(status);
    super(`${service} subgraph refused (${code}): ${reason}`);
    this.code = code;
  }
}
