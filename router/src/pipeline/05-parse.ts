import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError, parse, type DocumentNode } from 'graphql';
import { BoundedCache, MAX_CACHED_TEXT_BYTES } from '../bounded-cache';
import { limitExceeded } from '../limits';
import { sha256 } from '../persisted-queries';
import type { OperationRequest, Stage } from './operation-request';

export interface ParseOptions {
  /** Lexical tokens a document may have (LIMIT_MAX_TOKENS; 0: no limit). The parser stops at the limit. */
  maxTokens: number;
  /** Distinct operation texts whose parse is remembered (default 1000, and 8 MB of text); past it the cache starts again. */
  cachedDocuments?: number;
}

type Parsed = { document: DocumentNode; hash: string } | { error: GraphQLError };

/** Stage 5: the document is parsed once per distinct text (cached), never again downstream. */
export function parseDocument(options: ParseOptions): Stage {
  const cache = new BoundedCache<string, Parsed>({ maxEntries: options.cachedDocuments ?? 1000, maxWeight: MAX_CACHED_TEXT_BYTES });
  const parseOptions = options.maxTokens > 0 ? { maxTokens: options.maxTokens } : {};
  return {
    name: 'parse',
    run(request: OperationRequest) {
      const text = request.query!;
      let parsed = cache.get(text);
      if (!parsed) {
        parsed = parseText(text, parseOptions, options.maxTokens);
        cache.set(text, parsed, text.length);
      }
      if ('error' in parsed) throw parsed.error;
      request.document = parsed.document;
      request.queryHash = parsed.hash;
    },
  };
}

function parseText(text: string, parseOptions: { maxTokens?: number }, maxTokens: number): Parsed {
  try {
    return { document: parse(text, parseOptions), hash: sha256(text) };
  } catch (error) {
    // graphql-js reports the token limit as a syntax error ("more that N tokens" in graphql 16).
    if (error instanceof GraphQLError && /contains more tha[nt] \d+ tokens/.test(error.message)) return { error: limitExceeded('tokens', maxTokens) };
    const syntax = error instanceof GraphQLError ? error : undefined;
    const message = syntax?.message ?? (error instanceof RangeError ? 'Document nests too deeply to parse' : 'Document could not be parsed');
    return {
      error: new GraphQLError(message, {
        source: syntax?.source,
        positions: syntax?.positions,
        extensions: { code: ApolloServerErrorCode.GRAPHQL_PARSE_FAILED, http: { status: 400 } },
      }),
    };
  }
}
