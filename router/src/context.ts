import type { Identity, SignedIdentityHeaders } from '@supergraph/identity';

/** Per-request state the router carries from authentication to every subgraph fetch. */
export interface RouterContext {
  identity: Identity;
  requestId: string;
  /** Signed once per request, lazily, and reused for each subgraph fetch of the plan. */
  signedIdentity?: SignedIdentityHeaders;
}
