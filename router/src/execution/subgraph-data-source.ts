import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { SpanKind } from '@opentelemetry/api';
import { withSpan } from '@supergraph/server';
import { GraphQLError } from 'graphql';
import type { RouterContext } from '../context';
import type { SubgraphClient } from '../subgraph-client';
import type { DataSource, SubgraphError } from './data-source';

/**
 * The executor's way to the subgraphs in the router: each fetch goes through the subgraph's
 * SubgraphClient, the same one @apollo/gateway's executor used (signed identity, request id, trace
 * headers, pooled connections, timeout, retries of queries, circuit breaker, fetch sharing, metrics),
 * as part of the incoming request (its cache policy follows each subgraph's Cache-Control).
 *
 * Every error a subgraph causes names the subgraph (`extensions.serviceName`), as the gateway's do:
 * the respond stage recognises subgraph errors by it, logs them whole and passes on only their
 * documented details. A refusal the client owns a code for (SUBGRAPH_UNAVAILABLE from the breaker,
 * a timeout…) becomes a response error of that fetch; anything else thrown is a bug and propagates.
 */
export function subgraphDataSource(
  subgraphs: ReadonlyMap<string, SubgraphClient>,
  context: RouterContext,
  /** Apollo Server's request, when it runs the operation: each subgraph's Cache-Control then restricts its cache policy. */
  incoming: GatewayGraphQLRequestContext<RouterContext> = outsideApolloServer(context),
): DataSource {
  return async (serviceName, request) => {
    const client = subgraphs.get(serviceName);
    if (!client) throw new Error(`The plan fetches from "${serviceName}", which this supergraph does not route to`);
    try {
      // The fetch span is the parent the subgraph's own span names in `traceparent`.
      const response = await withSpan(
        'router.fetch',
        { 'graphql.subgraph': serviceName },
        () =>
          client.process({
            kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
            request: { query: request.query, variables: request.variables, operationName: request.operationName },
            context,
            incomingRequestContext: incoming,
          }),
        SpanKind.CLIENT,
      );
      return { data: response.data, errors: response.errors?.map((error) => fromService(error, serviceName)) };
    } catch (error) {
      if (error instanceof GraphQLError) return { errors: [fromService(error, serviceName)] };
      throw error;
    }
  };
}

function fromService(error: SubgraphError | GraphQLError, serviceName: string): SubgraphError {
  return { message: error.message, path: error.path, extensions: { ...error.extensions, serviceName } };
}

/**
 * What the gateway's data source reads of Apollo Server's request (its context and its cache
 * policy, absent here) for an operation the router delivers itself (incremental responses).
 */
function outsideApolloServer(context: RouterContext): GatewayGraphQLRequestContext<RouterContext> {
  return { context } as GatewayGraphQLRequestContext<RouterContext>;
}
