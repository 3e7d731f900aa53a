import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError } from 'graphql';
import { requestRefused } from '@supergraph/server';
import { persistedQueryNotAllowed, sha256, type PersistedQueryStore } from '../persisted-queries';
import { badRequest } from './01-input-limits';
import type { OperationRequest, Stage } from './operation-request';

/** As Apollo Server answers it (HTTP 200, never cached), which Apollo clients' APQ link expects. */
const notFound = () =>
  new GraphQLError('PersistedQueryNotFound', {
    extensions: {
      code: ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
      http: { status: 200, headers: new Map([['cache-control', 'private, no-cache, must-revalidate']]) },
    },
  });

const notSupported = () =>
  new GraphQLError('PersistedQueryNotSupported', { extensions: { code: ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED, http: { status: 200 } } });

/**
 * Stage 4: resolves `extensions.persistedQuery.sha256Hash` to the operation text (APQ or safelist)
 * and, in safelist mode, refuses every text that is not registered. After it, `request.query` is
 * the text to run whatever the client sent.
 */
export function persistedQuery(store: PersistedQueryStore): Stage {
  return {
    name: 'persisted query',
    run(request: OperationRequest) {
      const persisted = request.extensions?.persistedQuery as { version?: unknown; sha256Hash?: unknown } | undefined;
      if (persisted !== undefined) return resolve(request, persisted);
      if (request.query === undefined) throw badRequest('GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.');
      // The common case (a text, no safelist) stays synchronous: nothing to await on the hot path.
      if (store.mode !== 'safelist') return undefined;
      return store.safelist.lookup(sha256(request.query)).then((known) => {
        if (known === undefined) throw persistedQueryNotAllowed();
      });
    },
  };

  async function resolve(request: OperationRequest, persisted: { version?: unknown; sha256Hash?: unknown }): Promise<void> {
    if (store.mode === 'off') throw notSupported();
    if (typeof persisted !== 'object' || persisted === null || persisted.version !== 1) throw badRequest('Unsupported persisted query version');
    const hash = persisted.sha256Hash;
    if (typeof hash !== 'string') throw badRequest('extensions.persistedQuery.sha256Hash must be a string');
    if (request.query === undefined) {
      const text = store.mode === 'apq' ? await store.cache.get(hash) : await store.safelist.lookup(hash);
      if (text === undefined) throw notFound();
      request.query = text;
    } else {
      if (sha256(request.query) !== hash) {
        throw requestRefused('PERSISTED_QUERY_HASH_MISMATCH', 'The sha256Hash of extensions.persistedQuery does not match the query');
      }
      // Clients cannot register operations on a safelisted router.
      if (store.mode === 'safelist' && (await store.safelist.lookup(hash)) === undefined) throw persistedQueryNotAllowed();
      if (store.mode === 'apq') void store.cache.set(hash, request.query, { ttl: store.ttlSeconds }).catch(() => undefined);
    }
    request.persisted = true;
  }
}
