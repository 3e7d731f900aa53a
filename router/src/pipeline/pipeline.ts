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
import type { PreparedDocuments, SchemaState } from './schema-state';

export interface PipelineOptions extends InputLimitOptions {
  schema: () => SchemaState;
  documents: PreparedDocuments;
  authenticate: (headers: IncomingHttpHeaders) => Promise<Identity>;
  rateLimiter: RateLimiter;
  onRateLimited: () => void;
  persistedQueries: PersistedQueryStore;
  limits: OperationLimits;
  introspection: boolean;
}

/**
 * The one path every operation takes, from every transport (HTTP, graphql-ws, SSE) and of every
 * type: stages 1–9 in order (pipeline/NN-*.ts); then execution (10) and the response (11).
 */
export function operationPipeline(options: PipelineOptions): (request: OperationRequest) => Promise<PreparedOperation> {
  const stages: Stage[] = [
    inputLimits(options),
    authentication(options.authenticate),
    rateLimit(options.rateLimiter, options.onRateLimited),
    persistedQuery(options.persistedQueries),
    parseDocument({ maxTokens: options.limits.maxTokens }),
    validateOperation(options.schema, options.documents, { introspection: options.introspection }),
    operationLimits(options.schema, options.limits),
    authorization(options.schema),
    plan(options.schema),
  ];
  return async (request) => {
    for (const stage of stages) {
      const pending = stage.run(request);
      // Most stages are synchronous: awaiting only what is a promise keeps the hot path off the microtask queue.
      if (pending) await pending;
    }
    return request as PreparedOperation;
  };
}
