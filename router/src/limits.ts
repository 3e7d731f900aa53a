import type { GraphQLError } from 'graphql';
import type { ProtectionConfig } from '@supergraph/config';
import { requestRefused } from '@supergraph/server';
import type { OperationAnalysis } from './pipeline/operation-analysis';

export type LimitName = 'depth' | 'aliases' | 'rootFields' | 'tokens' | 'cost' | 'literalDepth';
export type OperationLimits = ProtectionConfig['limits'];

/**
 * Nesting of list and object literals in an argument or a variable's default (6, not configurable:
 * no argument of ours nests past a few levels, and deeper JSON can come as a variable). Checked
 * before planning, because Apollo's planner (subscriptions, and everything with
 * QUERY_PLANNER=apollo), collecting the variables an argument uses in @apollo/federation-internals,
 * visits each list level's elements twice: lists nested n deep cost it about 2^n, measured on the
 * platform supergraph at 0.2 s for 16 levels, 2 s for 20 and minutes past 24, with the event loop
 * (and /health) blocked all along; Hive's planner is linear here. Within the token limit, a literal
 * 6 deep costs Apollo's planner no more than a flat list of the same size (about 50 ms for 2,400
 * elements); 8 costs 0.2 s. Variables never reach a planner; stage 1 (pipeline/01-input-limits.ts)
 * bounds their nesting.
 */
export const MAX_LITERAL_DEPTH = 6;

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
