import type { IncomingHttpHeaders } from 'node:http';
import type { Identity } from '@supergraph/identity';
import type { OperationLimits } from '../limits';
import type { PersistedQueryStore } from '../persisted-queries';
import type { RateLimiter } from '../rate-limit';
import { inputLimits, type InputLimitOptions } from './01-input-limits';
import { authentication } from './02-authentication';
import { rateLimit } from './03-rate-limit';
import { persistedQuery } from './04-persisted-query';
import { parseDocument } from './05-parse';
import { validateOperation } from './06-validate';
import { operationLimits } from './07-operation-limits';
import { authorization } from './08-authorization';
import { plan } from './09-plan';
import type { OperationRequest, PreparedOperation, Stage } from './operation-request';
import type { SchemaState } from './schema-state';

export interface PipelineOptions extends InputLimitOptions {
  schema: () => SchemaState;
  authenticate: (headers: IncomingHttpHeaders) => Promise<Identity>;
  /** The identity at its user's tier now, whatever its credential says (CurrentTiers.current). */
  currentTier: (identity: Identity) => Identity | Promise<Identity>;
  rateLimiter: RateLimiter;
  onRateLimited: () => void;
  persistedQueries: PersistedQueryStore;
  limits: OperationLimits;
  introspection: boolean;
}

export interface OperationPipeline {
  (request: OperationRequest): Promise<PreparedOperation>;
  /**
   * Stages 6–9 again for an operation that already passed them, on another schema state: a live
   * subscription after a supergraph reload. Synchronous (these stages await nothing), so a reload
   * re-prepares every subscription in the same turn as the swap; throws the stage's refusal.
   */
  reprepare(operation: PreparedOperation, state: SchemaState): PreparedOperation;
}

/**
 * The one path every operation takes, from every transport (HTTP, graphql-ws, SSE) and of every
 * type: stages 1–9 in order (pipeline/NN-*.ts); then execution (10) and the response (11).
 */
export function operationPipeline(options: PipelineOptions): OperationPipeline {
  // What depends on the supergraph: run again when a live subscription moves to a new one.
  const schemaStages: Stage[] = [
    validateOperation(options.schema, { introspection: options.introspection }),
    operationLimits(options.limits),
    authorization(),
    plan(),
  ];
  const stages: Stage[] = [
    inputLimits(options),
    authentication(options.authenticate, options.currentTier),
    rateLimit(options.rateLimiter, options.onRateLimited),
    persistedQuery(options.persistedQueries),
    parseDocument({ maxTokens: options.limits.maxTokens }),
    ...schemaStages,
  ];
  const prepare = async (request: OperationRequest) => {
    for (const stage of stages) {
      const pending = stage.run(request);
      // Most stages are synchronous: awaiting only what is a promise keeps the hot path off the microtask queue.
      if (pending) await pending;
    }
    return request as PreparedOperation;
  };
  const reprepare = (operation: PreparedOperation, state: SchemaState): PreparedOperation => {
    const request: OperationRequest = { ...operation, schemaState: state, analysis: undefined, authorized: undefined, subscriptionPlan: undefined };
    for (const stage of schemaStages) {
      if (stage.run(request)) throw new Error(`Stage ${stage.name} became asynchronous: a reload can no longer re-prepare subscriptions in one turn`);
    }
    return request as PreparedOperation;
  };
  return Object.assign(prepare, { reprepare });
}
