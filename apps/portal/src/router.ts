import 'server-only';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { portalConfig } from './config';

/** One GraphQL error as the router sends it; `extensions.code` comes from the platform's error table. */
export interface RouterError {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string };
}

export interface RouterResult<TData> {
  data?: TData | null;
  errors?: readonly RouterError[];
}

/** One item of an incremental response: a deferred fragment's data for the object at `path`. */
interface IncrementalItem {
  label?: string;
  path: (string | number)[];
  data?: Record<string, unknown> | null;
  errors?: RouterError[];
}

/** One payload of an incremental response (deferSpec=20220824): the primary part, then items of deferred fragments. */
interface IncrementalPayload {
  data?: Record<string, unknown> | null;
  errors?: RouterError[];
  incremental?: IncrementalItem[];
  hasNext?: boolean;
}

const printed = new WeakMap<object, string>();
/** The operation's text as sent: printed once per document. */
export function textOf(document: TypedDocumentNode<unknown, never>): string {
  let text = printed.get(document);
  if (text === undefined) printed.set(document, (text = print(document)));
  return text;
}

function post(document: TypedDocumentNode<unknown, never>, variables: unknown, token: string | undefined, accept: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept };
  if (token) headers.authorization = `Bearer ${token}`;
  // Every answer depends on who asks: never cached by Next.js.
  return fetch(portalConfig.routerUrl, { method: 'POST', headers, body: JSON.stringify({ query: textOf(document), variables }), cache: 'no-store' });
}

/** A router that cannot be reached or answers something other than GraphQL: one error a page can show. */
function unavailable(detail: string): RouterResult<never> {
  console.error(`portal: the router failed: ${detail}`);
  return { errors: [{ message: detail, extensions: { code: 'SUBGRAPH_UNAVAILABLE' } }] };
}

async function readJson<TData>(response: Response): Promise<RouterResult<TData>> {
  const text = await response.text();
  try {
    return JSON.parse(text) as RouterResult<TData>;
  } catch {
    return unavailable(`HTTP ${response.status} ${text.slice(0, 200)}`);
  }
}

/** Sends one operation to the router as `token`'s holder (anonymous without one) and returns its one response. */
export async function execute<TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  token?: string,
): Promise<RouterResult<TData>> {
  try {
    return await readJson<TData>(await post(document, variables, token, 'application/graphql-response+json, application/json'));
  } catch (error) {
    return unavailable(error instanceof Error ? error.message : String(error));
  }
}

/** A response whose `@defer` fragments arrive after its primary part. */
export interface DeferredResult<TData> {
  /** The primary part: everything outside deferred fragments. */
  initial: RouterResult<TData>;
  /**
   * The data received once the fragment labelled `label` arrived (or the response ended without it),
   * with that fragment's errors only. A fragment deferred inside a list arrives once per element, each
   * at its own path: given `path`, only the errors of the element there. Never rejects.
   */
  after(label: string, path?: readonly (string | number)[]): Promise<RouterResult<TData>>;
}

/** Sets `value`'s fields into the object at `path` in `target` (where a deferred fragment's data belongs). */
function mergeAt(target: Record<string, unknown>, path: readonly (string | number)[], value: Record<string, unknown>): void {
  let node: unknown = target;
  for (const key of path) node = node === null || typeof node !== 'object' ? undefined : (node as Record<string | number, unknown>)[key];
  if (node !== null && typeof node === 'object') Object.assign(node, value);
}

function samePath(a: readonly (string | number)[], b: readonly (string | number)[]): boolean {
  return a.length === b.length && a.every((segment, index) => segment === b[index]);
}

/** The JSON bodies of a `multipart/mixed` response, each as soon as its closing delimiter has arrived. */
async function* multipartBodies(response: Response, boundary: string): AsyncGenerator<string> {
  const delimiter = `\r\n--${boundary}`;
  const decoder = new TextDecoder();
  // The first delimiter may open the body without the CRLF before it.
  let buffer = '\r\n';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf(delimiter, 1)) !== -1) {
      const part = buffer.slice(0, end);
      buffer = buffer.slice(end);
      const body = part.slice(part.indexOf('\r\n\r\n') + 4).trim();
      if (part.includes('\r\n\r\n') && body.startsWith('{')) yield body;
    }
  }
}

/**
 * Sends an operation with `@defer` fragments, accepting incremental delivery over HTTP multipart
 * (deferSpec=20220824). Resolves as soon as the primary part is in; the rest streams in behind it.
 * A router that answers in one response (it may, e.g. when authorization removed fields) serves every
 * fragment at once.
 */
export async function executeDeferred<TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  token?: string,
): Promise<DeferredResult<TData>> {
  const whole = (result: RouterResult<TData>): DeferredResult<TData> => ({ initial: result, after: async () => ({ data: result.data }) });
  let response: Response;
  try {
    response = await post(document, variables, token, 'multipart/mixed; deferSpec=20220824, application/json');
  } catch (error) {
    return whole(unavailable(error instanceof Error ? error.message : String(error)));
  }
  const boundary = /boundary="?([^";]+)"?/.exec(response.headers.get('content-type') ?? '')?.[1];
  if (!response.headers.get('content-type')?.startsWith('multipart/mixed') || !boundary) return whole(await readJson<TData>(response));

  const bodies = multipartBodies(response, boundary);
  const first = await bodies.next();
  const primary = (first.done ? { errors: [{ message: 'empty response' }] } : JSON.parse(first.value)) as IncrementalPayload;
  const data = primary.data ?? null;
  const arrived = new Map<string, IncrementalItem[]>();
  const waiting = new Map<string, (() => void)[]>();
  let ended = primary.hasNext !== true;
  // What a fragment that never arrived reports: the failure that ended the response early, if any.
  let failure: RouterError[] = [];

  const wake = (label: string) => {
    for (const resolve of waiting.get(label) ?? []) resolve();
    waiting.delete(label);
  };
  const finish = (errors: RouterError[]) => {
    ended = true;
    failure = errors;
    for (const label of [...waiting.keys()]) wake(label);
  };

  if (!ended) {
    void (async () => {
      try {
        for await (const body of bodies) {
          const payload = JSON.parse(body) as IncrementalPayload;
          const items = payload.incremental ?? [];
          for (const item of items) {
            if (data && item.data) mergeAt(data, item.path, item.data);
            const label = item.label ?? '';
            arrived.set(label, [...(arrived.get(label) ?? []), item]);
          }
          // Only once the whole payload is merged: the router sends a fragment's items for every element of a list together.
          for (const item of items) wake(item.label ?? '');
          if (payload.hasNext === false) break;
        }
        finish([]);
      } catch (error) {
        finish(unavailable(error instanceof Error ? error.message : String(error)).errors as RouterError[]);
      }
    })();
  }

  return {
    initial: { data: (data === null ? null : structuredClone(data)) as TData | null, errors: primary.errors },
    after: (label, path) =>
      new Promise((resolve) => {
        const done = () => {
          const items = arrived.get(label);
          const own = path ? items?.filter((item) => samePath(item.path, path)) : items;
          resolve({ data: data as TData | null, errors: items ? own?.flatMap((item) => item.errors ?? []) : failure });
        };
        if (arrived.has(label) || ended) done();
        else waiting.set(label, [...(waiting.get(label) ?? []), done]);
      }),
  };
}
