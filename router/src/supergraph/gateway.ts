import type { GatewayExecutor, GatewayInterface, GatewayLoadResult, GatewaySchemaLoadOrUpdateCallback } from '@apollo/server-gateway-interface';
import type { RouterContext } from '../context';
import type { SchemaState } from '../pipeline/schema-state';

/**
 * The gateway Apollo Server is given: it serves the current supergraph's schema and follows every
 * reload (Apollo Server listens through `onSchemaLoadOrUpdate`), and it runs each operation with
 * the executor of the schema state the pipeline validated it on, so an operation in flight across a
 * reload is planned and executed on the schema it started on.
 */
export class SchemaStateGateway implements GatewayInterface {
  private readonly listeners = new Set<GatewaySchemaLoadOrUpdateCallback>();

  constructor(private readonly current: () => SchemaState) {}

  async load(): Promise<GatewayLoadResult> {
    this.announce(this.current());
    const executor: GatewayExecutor = (requestContext) => {
      const operation = (requestContext.context as Partial<RouterContext> | undefined)?.operation;
      // Fail closed: an operation that did not pass the pipeline is never executed.
      if (!operation) throw new Error('An operation reached the gateway without passing the pipeline');
      return operation.schemaState.executor(requestContext);
    };
    return { executor };
  }

  /** Tells Apollo Server the schema it serves from now on. */
  announce(state: SchemaState): void {
    for (const listener of this.listeners) listener({ apiSchema: state.gatewaySchema, coreSupergraphSdl: state.policy.gatewaySdl });
  }

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback): () => void {
    this.listeners.add(callback);
    return () => this.listeners.delete(callback);
  }

  stop(): Promise<void> {
    return this.current().stop();
  }
}
