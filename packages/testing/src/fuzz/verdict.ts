import type { FuzzResponse } from './transports';

/** Why a response fails the fuzz suite. */
export type FailureKind = 'server-error' | 'internal-error' | 'no-answer' | 'unsent' | 'secret' | 'stack-trace' | 'file-path';

/** What a response must never show: the deployment's secret values, and password hashes. */
export interface Secrets {
  /** Exact values (JWT_SECRET, ROUTER_SIGNING_SECRET…) that must not appear anywhere in a response. */
  values: string[];
}

/** The users subgraph's stored password form (`scrypt$N$r$p$salt$hash`). */
const PASSWORD_HASH = /scrypt\$\d+\$\d+\$\d+\$/;
/** A JavaScript stack frame (`    at fn (file:1:2)`), raw or inside a JSON string, or a Python traceback. */
const STACK_TRACE = /(^|\n|\\n)\s{2,}at \S|Traceback \(most recent call last\)/;
/** Paths of this machine's files: the checkout, installed packages, Python sources. */
const FILE_PATH = /\/work\/|node_modules|\.py\\?"|\.venv\//;
/** WebSocket close codes that mean the server failed: 1011 (internal error) and graphql-ws's 4500. */
const SERVER_CLOSE_CODES = new Set([1011, 4500]);

/** Every reason `response` fails, empty when it is an acceptable answer (any client error is). */
export function judge(response: FuzzResponse, secrets: Secrets): FailureKind[] {
  const failures: FailureKind[] = [];
  if (response.timedOut) failures.push('no-answer');
  if (response.transportError !== undefined) failures.push('unsent');
  if ((response.status ?? 0) >= 500 || SERVER_CLOSE_CODES.has(response.closeCode ?? 0)) failures.push('server-error');
  const text = response.text;
  if (text.includes('INTERNAL_SERVER_ERROR')) failures.push('internal-error');
  if (secrets.values.some((secret) => secret.length > 0 && text.includes(secret)) || PASSWORD_HASH.test(text)) failures.push('secret');
  if (STACK_TRACE.test(text)) failures.push('stack-trace');
  if (FILE_PATH.test(text)) failures.push('file-path');
  return failures;
}
