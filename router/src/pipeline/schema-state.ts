import { ApolloGateway } from '@apollo/gateway';
import type { GatewayExecutor } from '@apollo/server-gateway-interface';
import type { DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { AuthorizationPolicy, OperationAuthorizer } from '../authorization';
import { OperationExecutor } from '../execution/operation-executor';
import { NonRetryableFields } from '../non-retryable-fields';
import type { PlannerName } from '../planning/operation-planner';
import type { SubgraphClient } from '../subgraph-client';
import { SubscriptionPlanner } from '../subscriptions/planner';
import type { OperationAnalysis } from './operation-analysis';

/** The data source of a subgraph, by name and routing URL (the router keeps one per name and URL across reloads). */
export type SubgraphClients = (name: string, url: string) => SubgraphClient;

/** How queries and mutations are planned and executed (subscriptions are planned by Apollo's planner either way, for now). */
export interface ExecutionOptions {
  /**
   * `router`: our executor (router/src/execution) on `planner`'s plans. `gateway`: stock
   * @apollo/gateway plans and executes, as before the router had its own executor. Default `router`.
   */
  executor?: 'router' | 'gateway';
  /** The planner our executor plans with: `hive` (Hive Router's, a Rust addon) or `apollo` (@apollo/query-planner). Default `hive`. */
  planner?: PlannerName;
}

/**
 * Everything that depends on the supergraph, in one object, so that a reload can build a new one
 * completely and swap it in one assignment: the API schema, the query and subscription planners
 * (the gateway's executor, and ours), the authorization policy, the subgraphs it routes to, and
 * what the pipeline remembered about documents against this schema. An operation keeps the state
 * it was validated on until it ends (`PreparedOperation.schemaState`), whatever is swapped meanwhile.
 */
export class SchemaState {
  readonly policy: AuthorizationPolicy;
  readonly planner: SubscriptionPlanner;
  readonly authorizer: OperationAuthorizer;
  /** Fields the supergraph marks @nonRetryable: fetches selecting one are never retried and have their own deadline. */
  readonly nonRetryable: NonRetryableFields;
  /** The subgraphs this supergraph routes to, by name. */
  readonly subgraphs = new Map<string, SubgraphClient>();
  /** Validation errors per parsed document (empty: valid). */
  readonly validated = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  /** The one walk's result per operation; operations whose cost depends on variables are walked per request. */
  readonly analyses = new WeakMap<OperationDefinitionNode, OperationAnalysis>();
  /** Set by `build`: the executor of queries and mutations on this supergraph (ours, or the gateway's), and the schema it executes against. */
  executor!: GatewayExecutor;
  /** Set by `build`: our executor on this supergraph (also what delivers `@defer` incrementally, whichever executor runs the rest). */
  operations!: OperationExecutor;
  gatewaySchema!: GraphQLSchema;
  private gateway?: ApolloGateway;

  private constructor(readonly supergraphSdl: string) {
    this.policy = new AuthorizationPolicy(supergraphSdl);
    this.planner = new SubscriptionPlanner(this.policy.gatewaySdl);
    this.authorizer = new OperationAuthorizer(this.planner.apiGraphQLSchema, this.policy);
    this.nonRetryable = new NonRetryableFields(supergraphSdl, this.planner.apiGraphQLSchema);
  }

  /**
   * Builds every part and has @apollo/gateway load the supergraph too, so a supergraph anything
   * refuses (parse, composition metadata, planner, authorization policy, the gateway) throws here,
   * before it could replace the state that is serving.
   */
  static async build(supergraphSdl: string, clients: SubgraphClients, execution: ExecutionOptions = {}): Promise<SchemaState> {
    const state = new SchemaState(supergraphSdl);
    // Building is CPU work that holds the event loop (tens of ms per half on the platform's
    // supergraph): requests that arrived meanwhile run between our planner and the gateway's.
    await new Promise((resolve) => setImmediate(resolve));
    const gateway = new ApolloGateway({
      supergraphSdl: state.policy.gatewaySdl,
      buildService: ({ name, url }) => {
        const client = clients(name, url ?? '');
        state.subgraphs.set(name, client);
        return client;
      },
    });
    const loaded = await gateway.load();
    state.gateway = gateway;
    state.operations = new OperationExecutor(state.apiSchema, state.policy.gatewaySdl, execution.planner ?? 'hive', state.subgraphs);
    state.executor = (execution.executor ?? 'router') === 'router' ? state.operations.execute : loaded.executor;
    // Our executor runs against our API schema (with @defer); the gateway's against its own.
    state.gatewaySchema = (execution.executor ?? 'router') === 'router' ? state.apiSchema : loaded.schema;
    return state;
  }

  get apiSchema(): GraphQLSchema {
    return this.planner.apiGraphQLSchema;
  }

  /** Lets go of the gateway (nothing to release for a static supergraph beyond its own cleanup). */
  stop(): Promise<void> {
    return this.gateway?.stop() ?? Promise.resolve();
  }
}
