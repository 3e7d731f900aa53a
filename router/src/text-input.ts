import type { GraphQLError } from 'graphql';
import { requestRefused } from '@supergraph/server';

/**
 * NUL and lone UTF-16 surrogates (invalid Unicode): PostgreSQL refuses both in text and JSON
 * (error 22021), and no subgraph has a use for them, so the router refuses them at the edge rather
 * than let a subgraph fail on them as an internal error. A surrogate pair (an emoji) is valid.
 */
const LONE_SURROGATE = /\p{Cs}/u;

export const isStorableText = (text: string): boolean => !text.includes('\0') && !LONE_SURROGATE.test(text);

/** The refusal for a request that carries such a string; `where` says in what (variables, an argument literal). */
export const unstorableText = (where: string): GraphQLError =>
  requestRefused('BAD_USER_INPUT', `${where} hold a string with a NUL character or invalid Unicode (a lone surrogate)`);
