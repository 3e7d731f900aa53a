import type { HttpGraphQLRequest } from '@supergraph/server';
import type { RouterContext } from './context';

/** Headers that differ per request without changing its response. */
const PER_REQUEST_HEADERS = new Set(['x-request-id', 'traceparent', 'tracestate', 'content-length', 'connection', 'keep-alive']);

/**
 * Which requests may share one execution (see graphqlHttpHandler's `shareKey`): queries only
 * (the type the pipeline read from the parsed document), never mutations or subscriptions; the
 * same caller (identity); the same document, variables, operation name and extensions; and the
 * same headers, which decide content negotiation and CSRF checks. A request that wants an
 * incremental (multipart) response runs on its own.
 *
 * Sharing happens only while the first request is in flight, so a shared response is never older
 * than the answer the later request would have got had it arrived a moment earlier — the same
 * guarantee as sharing identical subgraph fetches. The pipeline has bounded the nesting of
 * variables and extensions before this serialises them.
 */
export function operationShareKey(): (request: HttpGraphQLRequest, context: RouterContext) => string | undefined {
  return (request, context) => {
    if (context.operation?.operationType !== 'query') return undefined;
    if ((request.headers.get('accept') ?? '').includes('multipart/')) return undefined;
    const headers: string[] = [];
    for (const [name, value] of request.headers) if (!PER_REQUEST_HEADERS.has(name)) headers.push(`${name}:${value}`);
    return JSON.stringify([request.method, request.search, request.method === 'POST' ? request.body : null, context.identity, headers]);
  };
}
