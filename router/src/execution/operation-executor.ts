import type { GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { GraphQLError, Kind, print, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { withSpan, type Logger } from '@supergraph/server';
import { BoundedCache, MAX_CACHED_TEXT_BYTES } from '../bounded-cache';
import type { RouterContext } from '../context';
import type { PreparedOperation } from '../pipeline/operation-request';
import { createOperationPlanner, type OperationPlanner, type OperationToPlan, type PlannerName } from '../planning/operation-planner';
import type { OperationPlan } from '../planning/plan';
import type { SubgraphClient } from '../subgraph-client';
import { deferredRoot, executeIncrementally, type IncrementalPayload } from './incremental';
import { splitIntrospection } from './introspection';
import { asGraphQLError, compileOperation, executeCompiledOperation, type CompiledOperation } from './plan-executor';
import { subgraphDataSource } from './subgraph-data-source';

export interface OperationExecutorOptions {
  /** Compiled operations kept (plan, response shape), and at most 8 MB of their texts; all are dropped when either is reached, as the pipeline's caches do. Default 1000. */
  maxCompiled?: number;
}

/**
 * The router's executor for queries and mutations on one supergraph (one per schema state): each
 * document is planned by the chosen planner and compiled once (plan, response shape), then every
 * request runs the compiled operation with its coerced variables through the subgraph clients.
 *
 * Stage 10 runs it in the gateway's place (`execute`, the gateway executor's signature, so stock
 * @apollo/gateway's stays a drop-in for comparison), inside the authorization decision: an
 * authorized rewrite of a document arrives as another document with its own hash, and is compiled
 * under that hash. Operations that defer parts, to clients that take incremental responses, run
 * through `incremental` instead.
 */
export class OperationExecutor {
  private readonly compiled: BoundedCache<string, CompiledOperation>;
  private readonly planner: OperationPlanner;
  /** Apollo's planner beside Hive's, built the first time Hive's cannot serve (see `plan`). */
  private apolloPlanner?: OperationPlanner;

  constructor(
    private readonly apiSchema: GraphQLSchema,
    private readonly supergraphSdl: string,
    plannerName: PlannerName,
    private readonly subgraphs: ReadonlyMap<string, SubgraphClient>,
    options: OperationExecutorOptions = {},
  ) {
    this.planner = createOperationPlanner(plannerName, supergraphSdl);
    this.compiled = new BoundedCache({ maxEntries: options.maxCompiled ?? 1000, maxWeight: MAX_CACHED_TEXT_BYTES });
  }

  readonly execute: GatewayExecutor = async (requestContext) => {
    const incoming = requestContext as GatewayGraphQLRequestContext<RouterContext>;
    const operation = incoming.context.operation;
    // Fail closed: only what passed the pipeline runs (its variables are coerced there).
    if (!operation) throw new Error('An operation reached the executor without passing the pipeline');
    const text = operation.document === incoming.document ? operation.query : undefined;
    const compiled = this.compileOrRefuse(incoming.document, incoming.queryHash, incoming.request.operationName ?? undefined, text, incoming.logger);
    if (compiled instanceof GraphQLError) return { errors: [compiled] };
    const response = await withSpan('router.execute', operation.operationName ? { 'graphql.operation.name': operation.operationName } : {}, () =>
      executeCompiledOperation(this.apiSchema, compiled, operation.variables, subgraphDataSource(this.subgraphs, incoming.context, incoming)),
    );
    return response.errors ? { data: response.data, errors: response.errors.map(asGraphQLError) } : { data: response.data };
  };

  /**
   * The payloads of an operation whose plan defers parts with these variables, as they become
   * ready; undefined when nothing is deferred (or fields were removed by authorization, which is
   * applied to whole responses: such an operation is answered in one response), so the caller
   * runs it as any other.
   */
  incremental(operation: PreparedOperation, context: RouterContext, logger: Logger): AsyncGenerator<IncrementalPayload> | undefined {
    if (operation.authorized || operation.operationType === 'subscription') return undefined;
    const compiled = this.compileOrRefuse(operation.document, operation.queryHash, operation.operationName, operation.query, logger);
    if (compiled instanceof GraphQLError) return refusal(compiled);
    const root = deferredRoot(compiled.plan.node, operation.variables);
    if (!root) return undefined;
    const fragments = operation.document.definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION);
    return executeIncrementally(this.apiSchema, compiled, root, fragments, operation.variables, subgraphDataSource(this.subgraphs, context));
  }

  /** The compiled operation, or the error the caller gets when it cannot be planned. */
  private compileOrRefuse(
    document: DocumentNode,
    queryHash: string,
    operationName: string | undefined,
    text: string | undefined,
    logger: Pick<Logger, 'warn' | 'error'>,
  ): CompiledOperation | GraphQLError {
    try {
      return this.compile(document, queryHash, operationName, text, logger);
    } catch (error) {
      // The document is valid (stage 6), so a planner that cannot plan it is the router's fault, not the caller's.
      logger.error(`query planning failed: ${error instanceof Error ? error.message : String(error)}`);
      return new GraphQLError('The router could not plan this operation', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    }
  }

  /** `text`: the document's source when the pipeline parsed it from that text (unchanged by authorization). */
  private compile(
    document: DocumentNode,
    queryHash: string,
    operationName: string | undefined,
    text: string | undefined,
    logger: Pick<Logger, 'warn'>,
  ): CompiledOperation {
    const key = `${queryHash}\u0000${operationName ?? ''}`;
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const operation = document.definitions.find(
      (definition): definition is OperationDefinitionNode =>
        definition.kind === Kind.OPERATION_DEFINITION && (operationName === undefined || definition.name?.value === operationName),
    );
    if (!operation) throw new Error('The document has no operation to run');
    const { introspection, planned } = splitIntrospection(document, operation);
    const source = planned === document && text !== undefined ? text : planned && print(planned);
    const plan = planned && source ? this.plan({ text: source, document: planned, operationName }, logger) : {};
    const compiled = compileOperation(this.apiSchema, document, plan, operationName, introspection);
    this.compiled.set(key, compiled, document.loc?.end ?? source?.length ?? 0);
    return compiled;
  }

  /**
   * Plans with the chosen planner, except where Hive's (0.0.38) cannot serve and Apollo's can:
   * Hive's plans `@defer`d fields inline, so documents that defer anything are planned by Apollo's
   * (which plans Defer nodes, for incremental delivery); and a valid operation Hive's refuses (it
   * reads integer literals as 64-bit, so `project(id: 99999999999999999999)` fails there) is planned
   * by Apollo's rather than refused, and logged so the gap is seen.
   */
  private plan(operation: OperationToPlan, logger: Pick<Logger, 'warn'>): OperationPlan {
    if (this.planner.name === 'apollo') return this.planner.plan(operation);
    const apollo = () => (this.apolloPlanner ??= createOperationPlanner('apollo', this.supergraphSdl));
    if (operation.text.includes('@defer')) return apollo().plan(operation);
    try {
      return this.planner.plan(operation);
    } catch (error) {
      logger.warn(`Hive's planner refused an operation; planned by Apollo's instead: ${error instanceof Error ? error.message : String(error)}`);
      return apollo().plan(operation);
    }
  }
}

/** A stream of one payload: the refusal. */
async function* refusal(error: GraphQLError): AsyncGenerator<IncrementalPayload> {
  yield { data: null, errors: [{ message: error.message, extensions: error.extensions }], hasNext: false };
}
