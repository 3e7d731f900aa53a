import type { HTTPGraphQLRequest } from '@apollo/server';
import { parse, type OperationTypeNode } from 'graphql';
import type { RouterContext } from './context';

/** Distinct query texts whose operation type is remembered; past this the oldest is forgotten. */
const REMEMBERED_DOCUMENTS = 1_000;
/** Headers that differ per request without changing its response. */
const PER_REQUEST_HEADERS = new Set(['x-request-id', 'traceparent', 'tracestate', 'content-length', 'connection', 'keep-alive']);

/**
 * Which requests may share one execution (see graphqlHttpHandler's `shareKey`): queries only,
 * never mutations or subscriptions; the same caller (identity); the same document, variables,
 * operation name and extensions; and the same headers, which decide content negotiation and CSRF
 * checks. A request that wants an incremental (multipart) response runs on its own.
 *
 * Sharing happens only while the first request is in flight, so a shared response is never older
 * than the answer the later request would have got had it arrived a moment earlier — the same
 * guarantee as sharing identical subgraph fetches.
 */
export function operationShareKey(maxTokens: number): (request: HTTPGraphQLRequest, context: RouterContext) => string | undefined {
  const operationTypes = new Map<string, OperationTypeNode | undefined>();
  const operationTypeOf = (query: string, operationName: unknown): OperationTypeNode | undefined => {
    const key = `${typeof operationName === 'string' ? operationName : ''}\u0000${query}`;
    if (operationTypes.has(key)) return operationTypes.get(key);
    const type = parseOperationType(query, operationName, maxTokens);
    if (operationTypes.size >= REMEMBERED_DOCUMENTS) operationTypes.delete(operationTypes.keys().next().value!);
    operationTypes.set(key, type);
    return type;
  };

  return (request, context) => {
    if ((request.headers.get('accept') ?? '').includes('multipart/')) return undefined;
    const body = request.method === 'POST' ? request.body : undefined;
    const params = body && typeof body === 'object' ? (body as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(request.search));
    // Hash-only persisted queries resolve to a document later, inside Apollo: they run on their own.
    if (typeof params.query !== 'string' || operationTypeOf(params.query, params.operationName) !== 'query') return undefined;
    const headers: string[] = [];
    for (const [name, value] of request.headers) if (!PER_REQUEST_HEADERS.has(name)) headers.push(`${name}:${value}`);
    return JSON.stringify([request.method, request.search, body ?? null, context.identity, headers]);
  };
}

function parseOperationType(query: string, operationName: unknown, maxTokens: number): OperationTypeNode | undefined {
  try {
    const document = parse(query, maxTokens > 0 ? { maxTokens, noLocation: true } : { noLocation: true });
    const operations = document.definitions.filter((definition) => definition.kind === 'OperationDefinition');
    const chosen =
      typeof operationName === 'string'
        ? operations.find((operation) => operation.name?.value === operationName)
        : operations.length === 1
          ? operations[0]
          : undefined;
    return chosen?.operation;
  } catch {
    // Not a valid document: Apollo answers it with the precise error, on its own.
    return undefined;
  }
}
