import { formatForge } from './forge';

/** The currencies the payments subgraph charges by card, with their minor-unit decimals (JPY has none). */
export const CARD_CURRENCIES = { USD: 2, EUR: 2, GBP: 2, JPY: 0 } as const;
export type CardCurrency = keyof typeof CARD_CURRENCIES;

/** $FORGE's decimals: amounts travel as base units. */
export const FORGE_DECIMALS = 18;

/**
 * What a person typed ("12.5") as a whole number of base units ("1250" for 2 decimals), exactly:
 * no float ever holds money. Null for anything that is not a positive amount with at most `decimals` decimals.
 */
export function toBaseUnits(typed: string, decimals: number): string | null {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(typed.trim());
  if (!match || (match[2] ?? '').length > decimals) return null;
  const units = BigInt(match[1]! + (match[2] ?? '').padEnd(decimals, '0'));
  return units > 0n ? units.toString() : null;
}

/** A payment's amount as people read it: "12.50 USD", "1,000 FORGE". */
export function formatAmount(baseUnits: string, currency: string): string {
  if (currency === 'FORGE') return formatForge(baseUnits);
  const decimals = CARD_CURRENCIES[currency as CardCurrency] ?? 2;
  const units = BigInt(baseUnits);
  const scale = 10n ** BigInt(decimals);
  const fraction = decimals > 0 ? `.${(units % scale).toString().padStart(decimals, '0')}` : '';
  return `${(units / scale).toLocaleString('en')}${fraction} ${currency}`;
}
