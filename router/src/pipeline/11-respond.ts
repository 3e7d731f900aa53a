import { GraphQLError, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import { extensionsWithoutHttp, httpHeadOf, type HttpHead, type Logger } from '@supergraph/server';
import type { IncrementalPayload } from '../execution/incremental';

/**
 * Extension fields a subgraph's error may carry to the caller: the code and the documented details
 * of the error table (`limit`, `tier`, `field`…). Everything else — the gateway's `response` with the
 * subgraph's URL and raw body, `serviceName`, stack traces — stays in the router's log.
 */
const PUBLIC_SUBGRAPH_EXTENSIONS = new Set(['code', 'field', 'argument', 'limit', 'tier', 'status', 'provider', 'requiredScopes', 'retryAfter']);

/** Whether an error came from a subgraph through the gateway (ours, SUBGRAPH_UNAVAILABLE, are documented as they are). */
export function isSubgraphError(error: GraphQLFormattedError): boolean {
  const extensions = error.extensions;
  return !!extensions && ('serviceName' in extensions || 'response' in extensions) && extensions.code !== 'SUBGRAPH_UNAVAILABLE';
}

/** Stage 11: what of an error leaves the router. A subgraph's error keeps its message, code, path and documented details. */
export function publicError(error: GraphQLFormattedError): GraphQLFormattedError {
  if (!isSubgraphError(error)) return error;
  const extensions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error.extensions!)) if (PUBLIC_SUBGRAPH_EXTENSIONS.has(key)) extensions[key] = value;
  return { message: error.message, ...(error.path ? { path: error.path } : {}), extensions };
}

/** Logs the full detail of subgraph errors, with the request id, before they are cut down for the caller. */
export function logSubgraphErrors(logger: Logger, requestId: string, errors: readonly GraphQLFormattedError[]): void {
  for (const error of errors) {
    if (isSubgraphError(error)) logger.warn('subgraph error', { requestId, message: error.message, path: error.path, extensions: error.extensions });
  }
}

/** A formatted error as a GraphQLError (graphql-ws calls toJSON on every error it sends) that serialises to exactly itself. */
class FormattedError extends GraphQLError {
  constructor(private readonly formatted: GraphQLFormattedError) {
    super(formatted.message, { path: formatted.path, extensions: formatted.extensions });
  }
  override toJSON(): GraphQLFormattedError {
    return this.formatted;
  }
}

export const asGraphQLErrors = (errors: readonly GraphQLFormattedError[]): GraphQLError[] => errors.map((error) => new FormattedError(error));

/**
 * A stage's refusal for a transport that carries no HTTP status (graphql-ws, SSE): the same
 * message and code as over HTTP. Anything that is not a GraphQLError is a bug: logged, and the
 * caller gets INTERNAL_SERVER_ERROR without details.
 */
export function streamingRefusal(error: unknown, logger: Logger, requestId: string): GraphQLError {
  if (error instanceof GraphQLError) {
    return new FormattedError({ message: error.message, ...(error.locations ? { locations: error.locations } : {}), extensions: extensionsWithoutHttp(error) });
  }
  logger.error('unexpected error in the operation pipeline', { requestId, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  return new FormattedError({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}

/** How errors leave the router: the one formatter every transport applies, and the log for subgraph errors. */
export interface ResponseErrors {
  format(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  logger: Logger;
}

/**
 * Incremental payloads (`@defer`) with their errors, top-level or in an incremental item, as
 * `format` makes them leave the router: GraphQLErrors that serialise to exactly that (graphql-ws
 * calls toJSON).
 */
export async function* formattedPayloads(
  payloads: AsyncGenerator<IncrementalPayload>,
  format: (errors: readonly GraphQLFormattedError[]) => GraphQLFormattedError[],
): AsyncGenerator<ExecutionResult> {
  const formatted = (list: readonly GraphQLFormattedError[] | undefined) => list && asGraphQLErrors(format(list));
  for await (const payload of payloads) {
    if ('data' in payload) {
      yield { ...payload, errors: formatted(payload.errors) };
      continue;
    }
    const incremental = payload.incremental?.map((item) => ({ ...item, errors: formatted(item.errors) }));
    yield { ...payload, ...(incremental ? { incremental } : {}) } as ExecutionResult;
  }
}

/**
 * Errors as they leave the router (a response's `errors`), with the HTTP status and headers they
 * carry in `extensions.http` collected apart (the last status wins). Each error gets a code
 * (INTERNAL_SERVER_ERROR when it has none) and goes through the one formatter; a formatter that
 * throws yields a bare internal error. What Apollo Server did with every response's errors.
 */
export function formatErrors(errors: readonly unknown[], format: ResponseErrors['format']): { formatted: GraphQLFormattedError[]; http: HttpHead } {
  const http: HttpHead = { headers: new Map() };
  const formatted = errors.map((raw) => {
    const error = ensureGraphQLError(raw);
    try {
      const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions.code ?? 'INTERNAL_SERVER_ERROR' };
      const head = httpHeadOf(extensions);
      if (head) {
        if (head.status) http.status = head.status;
        for (const [name, value] of head.headers) http.headers.set(name, value);
        delete extensions.http;
      }
      return format({ ...error.toJSON(), extensions }, raw);
    } catch {
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
  });
  return { formatted, http };
}

/** Anything thrown or returned as an error, as a GraphQLError (a plain Error keeps its message, prefixed when asked). */
export function ensureGraphQLError(error: unknown, prefix = ''): GraphQLError {
  if (error instanceof GraphQLError) return error;
  if (error instanceof Error) return new GraphQLError(prefix + error.message, { originalError: error });
  return new GraphQLError(`Unexpected error value: ${String(error)}`);
}
