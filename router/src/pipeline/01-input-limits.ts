import { requestRefused } from '@supergraph/server';
import { isStorableText, unstorableText } from '../text-input';
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

/** Stage 1: the request's parameters have the shapes the GraphQL-over-HTTP spec allows, bounded nesting, and strings a database can store. */
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
      if (variables) {
        const measured = measureJson(variables, maxJsonDepth);
        if (measured.depth > maxJsonDepth) throw badRequest(`"variables" nest deeper than ${maxJsonDepth} levels`);
        if (measured.unstorableText) throw unstorableText('"variables"');
      }
      if (extensions && measureJson(extensions, maxJsonDepth).depth > maxJsonDepth) throw badRequest(`"extensions" nest deeper than ${maxJsonDepth} levels`);
      if (typeof query === 'string') request.query = query;
      if (typeof operationName === 'string') request.operationName = operationName;
      request.variables = (variables as Record<string, unknown> | null | undefined) ?? {};
      request.extensions = (extensions as Record<string, unknown> | null | undefined) ?? undefined;
    },
  };
}

export const badRequest = (message: string) => requestRefused('BAD_REQUEST', message);

/**
 * Nesting depth of a JSON value, and whether any of its strings (keys included) is one no database
 * stores (see text-input.ts); without recursion, and it stops looking once past `stopAt` levels.
 */
export function measureJson(value: unknown, stopAt: number): { depth: number; unstorableText: boolean } {
  let deepest = 0;
  let unstorable = false;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, level] = stack.pop()!;
    if (typeof item === 'string') {
      unstorable ||= !isStorableText(item);
      continue;
    }
    if (typeof item !== 'object' || item === null) continue;
    const depth = level + 1;
    if (depth > deepest) deepest = depth;
    if (deepest > stopAt) break;
    if (Array.isArray(item)) for (const child of item) stack.push([child, depth]);
    else
      for (const [key, child] of Object.entries(item)) {
        unstorable ||= !isStorableText(key);
        stack.push([child, depth]);
      }
  }
  return { depth: deepest, unstorableText: unstorable };
}
