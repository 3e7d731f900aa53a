import type { GraphQLError } from 'graphql';
import type { ProtectionConfig } from '@supergraph/config';
import { requestRefused } from '@supergraph/server';
import type { OperationAnalysis } from './pipeline/operation-analysis';

export type LimitName = 'depth' | 'aliases' | 'rootFields' | 'tokens' | 'cost' | 'literalDepth';
export type OperationLimits = ProtectionConfig['limits'];

/**
 * Nesting of list and object literals in an argument or a variable's default. Not configurable:
 * no argument of ours nests past a few levels, and the parser's token limit bounds the rest.
 */
export const MAX_LITERAL_DEPTH = 32;

const LIMIT_KEYS: Record<'depth' | 'aliases' | 'rootFields' | 'cost', keyof OperationLimits> = {
  depth: 'maxDepth',
  aliases: 'maxAliases',
  rootFields: 'maxRootFields',
  cost: 'maxCost',
};

export function limitExceeded(limit: LimitName, max: number, actual?: number): GraphQLError {
  const what = {
    depth: 'depth',
    aliases: 'number of aliases',
    rootFields: 'number of root fields',
    tokens: 'number of tokens',
    cost: 'estimated cost',
    literalDepth: 'nesting of argument literals',
  }[limit];
  return requestRefused('OPERATION_LIMIT_EXCEEDED', `Operation ${what}${actual === undefined ? '' : ` (${actual})`} exceeds the limit "${limit}" of ${max}`, {
    limit,
    max,
    ...(actual === undefined ? {} : { actual }),
  });
}

/** The first limit the analysis breaks, if any. */
export function checkLimits(analysis: OperationAnalysis, limits: OperationLimits): GraphQLError | undefined {
  for (const [limit, key] of Object.entries(LIMIT_KEYS) as [keyof typeof LIMIT_KEYS, keyof OperationLimits][]) {
    const max = limits[key];
    if (max > 0 && analysis[limit] > max) return limitExceeded(limit, max, analysis[limit]);
  }
  if (analysis.literalDepth > MAX_LITERAL_DEPTH) return limitExceeded('literalDepth', MAX_LITERAL_DEPTH, analysis.literalDepth);
  return undefined;
}
