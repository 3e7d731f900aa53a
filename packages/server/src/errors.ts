import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from './logger';

/**
 * Errors a caller can act on. Every one carries a stable `extensions.code` that clients may
 * branch on; the message is for people and may change.
 */
export function clientError(code: string, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

export const unauthenticated = (message = 'You must be signed in'): GraphQLError => clientError('UNAUTHENTICATED', message, { http: { status: 401 } });

export const forbidden = (message = 'You are not allowed to do this'): GraphQLError => clientError('FORBIDDEN', message);

export const notFound = (what: string): GraphQLError => clientError('NOT_FOUND', `${what} not found`);

export const badUserInput = (message: string, code = 'BAD_USER_INPUT', field?: string): GraphQLError => clientError(code, message, field ? { field } : {});

/**
 * Apollo Server's formatError: errors we raised on purpose pass through; anything else is a bug
 * or an outage, logged in full here and shown to the caller without internals.
 */
export function formatErrorFor(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (code && code !== 'INTERNAL_SERVER_ERROR') {
      const { stacktrace: _dropped, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    logger.error('unexpected error while executing an operation', { error: describe(error), path: formatted.path });
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

function describe(error: unknown): string {
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  return original instanceof Error ? (original.stack ?? original.message) : String(original);
}
