import type { PaymentsConfig } from '@supergraph/config';
import { Tier } from '../generated/prisma/enums';
import { forge } from './money';

const ORDER: Tier[] = [Tier.FREE, Tier.PRO, Tier.ENTERPRISE];

/** The tier a stake earns, from the table in config (whole FORGE thresholds). */
export function stakeTier(staked: bigint, config: Pick<PaymentsConfig, 'stakeTiers'>): Tier {
  if (staked >= forge(config.stakeTiers.ENTERPRISE)) return Tier.ENTERPRISE;
  if (staked >= forge(config.stakeTiers.PRO)) return Tier.PRO;
  return Tier.FREE;
}

/** Fee reduction in percent the stake earns. */
export function feeDiscount(staked: bigint, config: Pick<PaymentsConfig, 'stakeTiers' | 'feeDiscounts'>): number {
  return config.feeDiscounts[stakeTier(staked, config)];
}

/** A user's tier is the higher of the plan they paid for and the tier their stake earns. */
export function effectiveTier(planTier: Tier, staked: bigint, config: Pick<PaymentsConfig, 'stakeTiers'>): Tier {
  return higherTier(planTier, stakeTier(staked, config));
}

export function higherTier(a: Tier, b: Tier): Tier {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}

/** A plan's price after the stake's fee reduction, in minor units (rounded down: never overcharge). */
export function discountedPrice(price: number, discountPercent: number): bigint {
  return (BigInt(price) * BigInt(100 - discountPercent)) / 100n;
}
