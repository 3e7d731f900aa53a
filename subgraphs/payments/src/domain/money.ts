import { badUserInput } from '@supergraph/server';

/**
 * The closed list of currencies, with the number of decimals of their minor unit. Amounts are
 * always integers of minor units (cents, yen, FORGE base units), carried as bigint and as decimal
 * strings in GraphQL and JSON: never a float.
 */
export const FIAT_CURRENCIES = { USD: 2, EUR: 2, GBP: 2, JPY: 0 } as const;
export const TOKEN_CURRENCY = 'FORGE';
export const TOKEN_DECIMALS = 18;

export type FiatCurrency = keyof typeof FIAT_CURRENCIES;
export type Currency = FiatCurrency | typeof TOKEN_CURRENCY;

/** Stripe's largest charge is 8 digits of minor units; it also keeps fiat amounts exact as JS numbers. */
export const MAX_FIAT_AMOUNT = 99_999_999n;
/** uint256: nothing larger can exist on chain. */
export const MAX_TOKEN_AMOUNT = 2n ** 256n - 1n;

const POSITIVE_INTEGER = /^[1-9][0-9]{0,77}$/;

/** A positive integer amount of minor units, or INVALID_AMOUNT (zero, negative, fractional, not a number, too large). */
export function parseAmount(raw: string, max: bigint, field = 'amount'): bigint {
  const text = raw.trim();
  if (!POSITIVE_INTEGER.test(text)) {
    throw badUserInput('amount must be a positive whole number of minor units (e.g. "1999" for 19.99)', 'INVALID_AMOUNT', field);
  }
  const amount = BigInt(text);
  if (amount > max) throw badUserInput(`amount must be at most ${max}`, 'INVALID_AMOUNT', field);
  return amount;
}

export function parseFiatCurrency(raw: string, field = 'currency'): FiatCurrency {
  const code = raw.trim().toUpperCase();
  if (code === TOKEN_CURRENCY) {
    throw badUserInput('FORGE is paid with payWithToken, not by card', 'UNSUPPORTED_CURRENCY', field);
  }
  if (!Object.hasOwn(FIAT_CURRENCIES, code)) {
    throw badUserInput(`currency must be one of ${Object.keys(FIAT_CURRENCIES).join(', ')}`, 'UNSUPPORTED_CURRENCY', field);
  }
  return code as FiatCurrency;
}

/** Whole FORGE → base units. */
export const forge = (whole: number | bigint): bigint => BigInt(whole) * 10n ** BigInt(TOKEN_DECIMALS);

/** Decimals of a currency's minor unit (2 for cents, 0 for yen, 18 for FORGE). */
export function currencyDecimals(currency: string): number {
  if (currency === TOKEN_CURRENCY) return TOKEN_DECIMALS;
  if (Object.hasOwn(FIAT_CURRENCIES, currency)) return FIAT_CURRENCIES[currency as FiatCurrency];
  throw new Error(`unknown currency ${currency}`);
}

/**
 * Minor units → the amount in major units as an exact decimal string ("1999" USD → "19.99",
 * 25·10¹⁸ FORGE → "25"), trailing fractional zeros dropped. Exact at any size: bigint arithmetic.
 */
export function toMajorUnits(minor: bigint, currency: string): string {
  const decimals = currencyDecimals(currency);
  const sign = minor < 0n ? '-' : '';
  const digits = (minor < 0n ? -minor : minor).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return fraction ? `${sign}${whole}.${fraction}` : `${sign}${whole}`;
}
