import type { IncomingHttpHeaders } from 'node:http';
import type { Identity } from '@supergraph/identity';
import type { OperationRequest, Stage } from './operation-request';

/**
 * Stage 2: who is calling. HTTP and SSE authenticate each request from its headers; graphql-ws
 * authenticates once per connection (connection_init) and presets the identity.
 */
export function authentication(authenticate: (headers: IncomingHttpHeaders) => Promise<Identity>): Stage {
  return {
    name: 'authentication',
    run(request: OperationRequest) {
      if (request.identity) return undefined;
      return authenticate(request.client.headers).then((identity) => {
        request.identity = identity;
      });
    },
  };
}
