import type { Identity } from '@supergraph/identity';
import type { PreparedOperation } from './pipeline/operation-request';

/** Per-request state the router carries from authentication to every subgraph fetch. */
export interface RouterContext {
  identity: Identity;
  requestId: string;
  /** performance.now() when the HTTP request arrived: request latency metrics start here. */
  receivedAt?: number;
  /**
   * Filled in when the operation has run: requests that share its response count under its labels.
   * An object, not a field, so a copy of the context (the streaming transports make one per operation) still reports to the original.
   */
  finished?: { labels?: OperationLabels };
  /** The operation as the pipeline prepared it (parsed, validated, measured, authorized); set before execution. */
  operation?: PreparedOperation;
}

export interface OperationLabels {
  operation: string;
  outcome: 'success' | 'error';
}
