/** $FORGE and ETH amounts travel as strings of base units (18 decimals); people read whole tokens with up to 4 decimals. */
const DECIMALS = 18n;
const SHOWN_DECIMALS = 4n;

export function formatTokens(baseUnits: string, symbol: string): string {
  const units = BigInt(baseUnits);
  const whole = units / 10n ** DECIMALS;
  const fraction = (units % 10n ** DECIMALS) / 10n ** (DECIMALS - SHOWN_DECIMALS);
  const decimals = fraction.toString().padStart(Number(SHOWN_DECIMALS), '0').replace(/0+$/, '');
  return `${whole.toLocaleString('en')}${decimals ? `.${decimals}` : ''} ${symbol}`;
}

export const formatForge = (baseUnits: string): string => formatTokens(baseUnits, 'FORGE');
