/**
 * Fair dispatch between the tiers: weighted round-robin over per-tier FIFO queues.
 *
 * The weights (ENTERPRISE:PRO:FREE, 6:3:1 by default) are spread over a cycle of 6+3+1 = 10
 * dispatch slots with nginx's smooth weighted round-robin, so each tier's slots are evenly spaced.
 * Dispatch number n (the shared cursor) belongs to the tier of slot n mod 10; when that tier has
 * nothing waiting, or is at its concurrency cap, the slot passes to the next tier in priority
 * order, so no slot is wasted. Hence, while a tier has work waiting it gets at least its share of
 * every cycle: ENTERPRISE 6 of 10, PRO 3 of 10, FREE 1 of 10 — FREE is never starved, and paying
 * tiers can never be held back by more than FREE's one slot in ten.
 */
import type { PerTier } from '@supergraph/config';
import type { Tier } from '../generated/prisma/enums';

/** Highest first: the order in which an idle slot is offered to the other tiers. */
export const TIERS: readonly Tier[] = ['ENTERPRISE', 'PRO', 'FREE'];

/** One cycle of dispatch slots: each tier appears `weight` times, evenly spaced. */
export function weightedCycle(weights: PerTier): Tier[] {
  const total = TIERS.reduce((sum, tier) => sum + weights[tier], 0);
  const current: Record<Tier, number> = { ENTERPRISE: 0, PRO: 0, FREE: 0 };
  const cycle: Tier[] = [];
  for (let slot = 0; slot < total; slot++) {
    for (const tier of TIERS) current[tier] += weights[tier];
    const chosen = TIERS.reduce((best, tier) => (current[tier] > current[best] ? tier : best), TIERS[0]!);
    current[chosen] -= total;
    cycle.push(chosen);
  }
  return cycle;
}

/** The tiers to try, in order, for dispatch number `cursor`. */
export function tierPreference(cycle: readonly Tier[], cursor: number): Tier[] {
  const owner = cycle[cursor % cycle.length]!;
  return [owner, ...TIERS.filter((tier) => tier !== owner)];
}

/**
 * Where a waiting task stands: 1 means it is dispatched next. Simulates the round-robin from the
 * current cursor over the waiting counts (caps and future arrivals aside, so it is an estimate).
 */
export function estimatePosition(cycle: readonly Tier[], cursor: number, waiting: PerTier, tier: Tier, rank: number): number {
  const left = { ...waiting };
  let remaining = rank;
  for (let n = cursor, position = 1; ; n++, position++) {
    const chosen = tierPreference(cycle, n).find((candidate) => left[candidate] > 0);
    if (!chosen) return position;
    left[chosen]--;
    if (chosen === tier && --remaining === 0) return position;
  }
}
