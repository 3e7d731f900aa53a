/**
 * How the executor reaches subgraphs: one function, so the router's SubgraphClient (HTTP/2, dedupe,
 * resilience) and tests' in-process subgraphs plug in alike.
 */
export interface SubgraphRequest {
  query: string;
  variables: Record<string, unknown>;
  operationName?: string;
}

/** A GraphQL error as a subgraph sends it; `path` is relative to that subgraph's response. */
export interface SubgraphError {
  message: string;
  path?: readonly (string | number)[];
  locations?: readonly { line: number; column: number }[];
  extensions?: Record<string, unknown>;
}

export interface SubgraphResponse {
  data?: Record<string, unknown> | null;
  errors?: readonly SubgraphError[];
}

export type DataSource = (serviceName: string, request: SubgraphRequest) => Promise<SubgraphResponse>;
