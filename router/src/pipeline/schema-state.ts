import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { AuthorizationPolicy, OperationAuthorizer } from '../authorization';
import { SubscriptionPlanner } from '../subscriptions/planner';
import type { OperationAnalysis } from './operation-analysis';

/**
 * Everything that depends on the supergraph, in one object, so that a reload can build a new one
 * completely and swap it in one assignment: the API schema, the subscription planner, the
 * authorization policy, and what the pipeline remembered about documents against this schema.
 */
export class SchemaState {
  readonly policy: AuthorizationPolicy;
  readonly planner: SubscriptionPlanner;
  readonly authorizer: OperationAuthorizer;
  /** Validation errors per parsed document (empty: valid). */
  readonly validated = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  /** The one walk's result per operation; operations whose cost depends on variables are walked per request. */
  readonly analyses = new WeakMap<OperationDefinitionNode, OperationAnalysis>();

  constructor(supergraphSdl: string) {
    this.policy = new AuthorizationPolicy(supergraphSdl);
    this.planner = new SubscriptionPlanner(this.policy.gatewaySdl);
    this.authorizer = new OperationAuthorizer(this.planner.apiGraphQLSchema, this.policy);
  }

  get apiSchema(): GraphQLSchema {
    return this.planner.apiGraphQLSchema;
  }
}

/**
 * Apollo Server's document store, filled by the pipeline: a document our stages parsed and
 * validated is found here by Apollo (keyed by the text's sha256), so Apollo neither parses nor
 * validates it again. Apollo prefixes its keys with a schema hash and a colon.
 */
export class PreparedDocuments implements KeyValueCache<DocumentNode> {
  private readonly documents = new Map<string, DocumentNode>();

  constructor(private readonly capacity = 1000) {}

  remember(hash: string, document: DocumentNode): void {
    if (this.documents.has(hash)) return;
    if (this.documents.size >= this.capacity) this.documents.clear();
    this.documents.set(hash, document);
  }

  async get(key: string): Promise<DocumentNode | undefined> {
    return this.documents.get(key.slice(key.lastIndexOf(':') + 1));
  }

  async set(key: string, document: DocumentNode): Promise<void> {
    this.remember(key.slice(key.lastIndexOf(':') + 1), document);
  }

  async delete(key: string): Promise<boolean> {
    return this.documents.delete(key.slice(key.lastIndexOf(':') + 1));
  }
}
