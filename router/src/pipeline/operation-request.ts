import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { DocumentNode, OperationDefinitionNode, OperationTypeNode } from 'graphql';
import type { Identity } from '@supergraph/identity';
import type { AuthorizedOperation } from '../authorization';
import type { SubscriptionPlan } from '../subscriptions/planner';
import type { OperationAnalysis } from './operation-analysis';
import type { SchemaState } from './schema-state';

export type Transport = 'http' | 'websocket' | 'sse';

/** The GraphQL request parameters, as every transport receives them (JSON body, URL, or graphql-ws payload). */
export interface OperationParams {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
  extensions?: unknown;
}

/** Who sent the request, for authentication and the rate-limit key. */
export interface RequestClient {
  headers: IncomingHttpHeaders;
  socket: Pick<Socket, 'remoteAddress'>;
}

/**
 * One operation on its way through the pipeline. Transports fill in the first block; each stage
 * reads what earlier stages wrote and adds its own result (or throws a GraphQLError to refuse).
 */
export interface OperationRequest {
  transport: Transport;
  /** HTTP method for `http` and `sse`; graphql-ws has none. */
  method?: string;
  params: OperationParams;
  client: RequestClient;
  requestId: string;
  /** Preset by transports that authenticate once per connection (graphql-ws). */
  identity?: Identity;

  // --- Written by the stages, in order.
  /** 01: the validated parameters; 06 replaces `variables` by their values coerced to the operation's definitions. */
  operationName?: string;
  variables?: Record<string, unknown>;
  extensions?: Record<string, unknown>;
  /** 04: the operation text, resolved from a persisted query hash when only the hash was sent. */
  query?: string;
  /** 04: true when the text came from (or was registered under) a persisted query hash. */
  persisted?: boolean;
  /** 05: the parsed document and its sha256 (Apollo Server's document key). */
  document?: DocumentNode;
  queryHash?: string;
  /**
   * 06: the schema state the operation is validated, planned and executed on, until it ends (a
   * reload swaps the router's, not this one). Preset only when a live subscription is prepared
   * again on a new supergraph.
   */
  schemaState?: SchemaState;
  /** 06: the operation the request runs. */
  operation?: OperationDefinitionNode;
  operationType?: OperationTypeNode;
  /** 07: the one walk's measurements, shared by limits, cost and authorization. */
  analysis?: OperationAnalysis;
  /** 08: fields the caller may not read (undefined: nothing removed). */
  authorized?: AuthorizedOperation;
  /** 09: subscriptions are planned here; queries and mutations by the gateway when they execute. */
  subscriptionPlan?: SubscriptionPlan;
}

/** The request once every stage has passed it: what execution needs is present. */
export type PreparedOperation = OperationRequest &
  Required<Pick<OperationRequest, 'identity' | 'query' | 'document' | 'queryHash' | 'schemaState' | 'operation' | 'operationType' | 'analysis' | 'variables'>>;

/**
 * A pipeline stage: one concern, one module (`pipeline/NN-name.ts`, in the order they run). A
 * stage refuses the operation by throwing a GraphQLError carrying a code from the error table;
 * transports turn that into their own way of answering (HTTP status, graphql-ws `error`, SSE event).
 */
export interface Stage {
  readonly name: string;
  run(request: OperationRequest): void | Promise<void>;
}
