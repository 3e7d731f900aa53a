import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { httpStatusOf, type ErrorCode, type RequestErrorCode } from './error-codes';
import type { Logger } from './logger';

/**
 * Errors a caller can act on. Every one carries a stable `extensions.code` from the table in
 * error-codes.ts that clients may branch on; the message is for people and may change.
 */
export function clientError(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

/**
 * An error that refuses the whole request: Apollo Server answers with the code's HTTP status from
 * the table (and `headers`, e.g. Retry-After) and drops `extensions.http` from the body.
 */
export function requestRefused(code: RequestErrorCode, message: string, extra: Record<string, unknown> = {}, headers?: Map<string, string>): GraphQLError {
  return clientError(code, message, { ...extra, http: { status: httpStatusOf(code), ...(headers ? { headers } : {}) } });
}

/** The HTTP status and headers an error asks for (`extensions.http`, see requestRefused), which never reach the body. */
export interface HttpHead {
  status?: number;
  headers: Map<string, string>;
}

/** What an error carries in `extensions.http`, when it is that shape; undefined otherwise (the one reader of it). */
export function httpHeadOf(extensions: Readonly<Record<string, unknown>>): HttpHead | undefined {
  const head = extensions.http as { status?: unknown; headers?: unknown } | undefined;
  if (!head || typeof head !== 'object') return undefined;
  if ((head.status !== undefined && typeof head.status !== 'number') || (head.headers !== undefined && !(head.headers instanceof Map))) return undefined;
  return { ...(head.status === undefined ? {} : { status: head.status as number }), headers: (head.headers as Map<string, string> | undefined) ?? new Map() };
}

/** The extensions of an error for transports that carry no HTTP status (WebSocket, SSE, formatted errors). */
export function extensionsWithoutHttp(error: GraphQLError): Record<string, unknown> {
  const { http: _http, ...extensions } = error.extensions;
  return extensions;
}

/** Whether an error (raised or formatted) carries this code. */
export const hasErrorCode = (error: { readonly extensions?: Readonly<Record<string, unknown>> }, code: ErrorCode): boolean => error.extensions?.code === code;

export const unauthenticated = (message = 'You must be signed in'): GraphQLError => requestRefused('UNAUTHENTICATED', message);

export const forbidden = (message = 'You are not allowed to do this'): GraphQLError => clientError('FORBIDDEN', message);

export const notFound = (what: string): GraphQLError => clientError('NOT_FOUND', `${what} not found`);

export const badUserInput = (message: string, code: ErrorCode = 'BAD_USER_INPUT', field?: string): GraphQLError =>
  clientError(code, message, field ? { field } : {});

/** A dependency's outage that callers should hear about as such (retry later), not as an internal error. */
export interface KnownOutage {
  code: ErrorCode;
  message: string;
  /** Whether `error` (as thrown, before Apollo wrapped it) is this outage. */
  matches(error: unknown): boolean;
}

/**
 * Apollo Server's formatError: errors we raised on purpose pass through; an error that is one of
 * the `outages` gets that outage's code and one log line; anything else is a bug, logged in full
 * here and shown to the caller without internals.
 */
export function formatErrorFor(logger: Logger, outages: readonly KnownOutage[] = []) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if (formatted.extensions?.code && !hasErrorCode(formatted, 'INTERNAL_SERVER_ERROR')) {
      const { stacktrace: _dropped, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const outage = outages.find((candidate) => candidate.matches(error));
    if (outage) {
      logger.warn(outage.message, {
        code: outage.code,
        path: formatted.path,
        error: error instanceof Error ? error.message.split('\n').at(-1) : String(error),
      });
      return { message: outage.message, locations: formatted.locations, path: formatted.path, extensions: { code: outage.code } };
    }
    logger.error('unexpected error while executing an operation', { error: describe(error), path: formatted.path });
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' satisfies ErrorCode },
    };
  };
}

function describe(error: unknown): string {
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  return original instanceof Error ? (original.stack ?? original.message) : String(original);
}
