import { randomInt } from 'node:crypto';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { SERVICE, signIdentity, type Identity } from '@supergraph/identity';

export interface GraphQLResponse<TData = Record<string, unknown>> {
  status: number;
  data?: TData | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [key: string]: unknown } }[];
}

/**
 * The data of an untyped test operation, read by property path: the assertion that reads it is its
 * type check. Operations portals use go through typed documents (`execute`) instead.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type UntypedData = Record<string, any>;

/** POSTs one operation and returns the HTTP status with the parsed GraphQL body. */
export async function graphql<TData = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TData>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<TData>, 'status'>;
  return { status: response.status, ...body };
}

/** Calls a subgraph directly, as the router would, with a signed identity. */
export function asRouter(identity: Identity = SERVICE, secret: string): Record<string, string> {
  return signIdentity(identity, secret);
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/**
 * The address of a caller never seen before, for X-Forwarded-For: random in 2001:db8::/32 (reserved
 * for documentation). A router that trusts the header counts anonymous callers by it, and drawn
 * from a small pool (254 IPv4 addresses) a test's caller sometimes got a window another test, or a
 * rerun on the same Redis, had used up.
 */
export const newCallerAddress = (): string => `2001:db8::${Array.from({ length: 4 }, () => randomInt(0x10000).toString(16)).join(':')}`;

/** The `extensions.code` of each error, in order: what tests assert on. */
export function errorCodes(response: GraphQLResponse<unknown>): (string | undefined)[] {
  return (response.errors ?? []).map((error) => error.extensions?.code);
}

/** Sends a codegen'd typed document (clients/generated), so tests use what portals use. */
export function execute<TData, TVariables extends Record<string, unknown>>(
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TData>> {
  return graphql<TData>(url, print(document), variables, headers);
}

/** Runs `work` and counts the SQL statements `database` (a subgraph's) sent meanwhile: what N+1 tests assert on. */
export async function countSqlStatements<T>(database: { sqlStatements(): number }, work: () => Promise<T>): Promise<{ result: T; count: number }> {
  const before = database.sqlStatements();
  const result = await work();
  return { result, count: database.sqlStatements() - before };
}
