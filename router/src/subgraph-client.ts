import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { signIdentity } from '@supergraph/identity';
import type { RouterContext } from './context';

/**
 * How the router talks to a subgraph: the gateway's HTTP data source, plus the identity the
 * router vouches for (signed) and the request id, so subgraph logs line up with ours.
 */
export class SubgraphClient extends RemoteGraphQLDataSource<RouterContext> {
  constructor(
    readonly name: string,
    url: string,
    private readonly signingSecret: string,
  ) {
    super({ url });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RouterContext>): void {
    // Health checks and other gateway-internal requests carry no RouterContext.
    if (!('identity' in context) || !context.identity || !request.http) return;
    const routerContext = context as RouterContext;
    routerContext.signedIdentity ??= signIdentity(routerContext.identity, this.signingSecret);
    for (const [name, value] of Object.entries(routerContext.signedIdentity)) request.http.headers.set(name, value);
    request.http.headers.set('x-request-id', routerContext.requestId);
  }
}
