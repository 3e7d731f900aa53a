import type { GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { GraphQLError, Kind, print, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { withSpan } from '@supergraph/server';
import type { RouterContext } from '../context';
import type { OperationPlanner } from '../planning/operation-planner';
import type { SubgraphClient } from '../subgraph-client';
import type { LocatedError } from './fetch-execution';
import { splitIntrospection } from './introspection';
import { compileOperation, executeCompiledOperation, type CompiledOperation } from './plan-executor';
import { subgraphDataSource } from './subgraph-data-source';

export interface OperationExecutorOptions {
  /** Compiled operations kept (plan, response shape); all are dropped when it is reached, as the pipeline's caches do. Default 1000. */
  maxCompiled?: number;
}

/**
 * The router's executor for queries and mutations on one supergraph (one per schema state): each
 * document is planned by the chosen planner and compiled once (plan, response shape), then every
 * request runs the compiled operation with its coerced variables through the subgraph clients.
 *
 * It is given to Apollo Server in the gateway's place, so the HTTP layer, its plugins (metrics,
 * request log, response cache) and the authorization wrapper around it stay as they are: an
 * authorized rewrite of a document arrives as another document with its own hash, and is
 * compiled under that hash.
 */
export class OperationExecutor {
  private readonly compiled = new Map<string, CompiledOperation>();
  private readonly maxCompiled: number;

  constructor(
    private readonly apiSchema: GraphQLSchema,
    private readonly planner: OperationPlanner,
    private readonly subgraphs: ReadonlyMap<string, SubgraphClient>,
    options: OperationExecutorOptions = {},
  ) {
    this.maxCompiled = options.maxCompiled ?? 1000;
  }

  readonly execute: GatewayExecutor = async (requestContext) => {
    const incoming = requestContext as GatewayGraphQLRequestContext<RouterContext>;
    const operation = incoming.context.operation;
    // Fail closed: only what passed the pipeline runs (its variables are coerced there).
    if (!operation) throw new Error('An operation reached the executor without passing the pipeline');
    let compiled: CompiledOperation;
    try {
      compiled = this.compile(incoming, operation.document === incoming.document ? operation.query : undefined);
    } catch (error) {
      // The document is valid (stage 6), so a planner that cannot plan it is the router's fault, not the caller's.
      incoming.logger.error(`query planning failed: ${error instanceof Error ? error.message : String(error)}`);
      return { errors: [new GraphQLError('The router could not plan this operation', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })] };
    }
    const response = await withSpan('router.execute', operation.operationName ? { 'graphql.operation.name': operation.operationName } : {}, () =>
      executeCompiledOperation(this.apiSchema, compiled, operation.variables, subgraphDataSource(this.subgraphs, incoming)),
    );
    return response.errors ? { data: response.data, errors: response.errors.map(toGraphQLError) } : { data: response.data };
  };

  /** `text`: the document's source when the pipeline parsed it from that text (unchanged by authorization). */
  private compile(incoming: GatewayGraphQLRequestContext<RouterContext>, text: string | undefined): CompiledOperation {
    const operationName = incoming.request.operationName ?? undefined;
    const key = `${incoming.queryHash}\u0000${operationName ?? ''}`;
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const document = incoming.document;
    const operation = document.definitions.find(
      (definition): definition is OperationDefinitionNode =>
        definition.kind === Kind.OPERATION_DEFINITION && (operationName === undefined || definition.name?.value === operationName),
    );
    if (!operation) throw new Error('The document has no operation to run');
    const { introspection, planned } = splitIntrospection(document, operation);
    const plan = planned
      ? this.planner.plan({ text: planned === document && text !== undefined ? text : print(planned), document: planned, operationName })
      : {};
    const compiled = compileOperation(this.apiSchema, document, plan, operationName, introspection);
    if (this.compiled.size >= this.maxCompiled) this.compiled.clear();
    this.compiled.set(key, compiled);
    return compiled;
  }
}

function toGraphQLError(error: LocatedError): GraphQLError {
  return new GraphQLError(error.message, { path: error.path, extensions: error.extensions });
}
