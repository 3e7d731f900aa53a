import { requestRefused } from '@supergraph/server';
import type { OperationRequest, Stage } from './operation-request';

export interface InputLimitOptions {
  /**
   * Deepest nesting of arrays and objects in `variables` and `extensions` (default 64). Checked
   * before anything serialises or walks them recursively (a 100,000-level value overflows the stack).
   * The byte size of a body or frame is bounded earlier, by each transport, with MAX_BODY_BYTES.
   */
  maxJsonDepth?: number;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Stage 1: the request's parameters have the shapes the GraphQL-over-HTTP spec allows, and bounded nesting. */
export function inputLimits(options: InputLimitOptions = {}): Stage {
  const maxJsonDepth = options.maxJsonDepth ?? 64;
  return {
    name: 'input limits',
    run(request: OperationRequest) {
      const { query, operationName, variables, extensions } = request.params;
      if (query !== undefined && query !== null && typeof query !== 'string') throw badRequest('"query" must be a string');
      if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') throw badRequest('"operationName" must be a string');
      if (variables !== undefined && variables !== null && !isObject(variables)) throw badRequest('"variables" must be an object');
      if (extensions !== undefined && extensions !== null && !isObject(extensions)) throw badRequest('"extensions" must be an object');
      if (variables && jsonDepth(variables, maxJsonDepth) > maxJsonDepth) throw badRequest(`"variables" nest deeper than ${maxJsonDepth} levels`);
      if (extensions && jsonDepth(extensions, maxJsonDepth) > maxJsonDepth) throw badRequest(`"extensions" nest deeper than ${maxJsonDepth} levels`);
      if (typeof query === 'string') request.query = query;
      if (typeof operationName === 'string') request.operationName = operationName;
      request.variables = (variables as Record<string, unknown> | null | undefined) ?? {};
      request.extensions = (extensions as Record<string, unknown> | null | undefined) ?? undefined;
    },
  };
}

export const badRequest = (message: string) => requestRefused('BAD_REQUEST', message);

/** Nesting depth of a JSON value, without recursion; stops looking once past `stopAt`. */
export function jsonDepth(value: unknown, stopAt: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, level] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    const depth = level + 1;
    if (depth > deepest) deepest = depth;
    if (deepest > stopAt) return deepest;
    for (const child of Array.isArray(item) ? item : Object.values(item)) if (typeof child === 'object' && child !== null) stack.push([child, depth]);
  }
  return deepest;
}
