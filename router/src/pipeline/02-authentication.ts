import type { IncomingHttpHeaders } from 'node:http';
import type { Identity } from '@supergraph/identity';
import type { OperationRequest, Stage } from './operation-request';

/**
 * Stage 2: who is calling. HTTP and SSE authenticate each request from its headers; graphql-ws
 * authenticates once per connection (connection_init) and presets the identity. Either way, each
 * operation then carries its user's tier as it is now (`currentTier`), not as the credential says.
 */
export function authentication(
  authenticate: (headers: IncomingHttpHeaders) => Promise<Identity>,
  currentTier: (identity: Identity) => Identity | Promise<Identity>,
): Stage {
  return {
    name: 'authentication',
    run(request: OperationRequest) {
      const atCurrentTier = (identity: Identity): Promise<void> | undefined => {
        const current = currentTier(identity);
        if (!(current instanceof Promise)) {
          request.identity = current;
          return undefined;
        }
        return current.then((known) => {
          request.identity = known;
        });
      };
      return request.identity ? atCurrentTier(request.identity) : authenticate(request.client.headers).then(atCurrentTier);
    },
  };
}
