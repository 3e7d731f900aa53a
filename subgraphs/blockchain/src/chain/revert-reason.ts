import { BaseError, decodeErrorResult, type Hex } from 'viem';
import { forgeTokenAbi, treasuryAbi } from './abis';

/**
 * The human-readable reason inside a revert: `Error(string)` messages, `Panic(uint256)` codes, or
 * custom errors of our contracts; else the node's own message, else undefined.
 */
export function revertReasonOf(error: unknown): string | undefined {
  const data = revertData(error);
  if (data && data !== '0x') {
    try {
      const decoded = decodeErrorResult({ abi: [...forgeTokenAbi, ...treasuryAbi], data });
      if (decoded.errorName === 'Error') return String(decoded.args?.[0]);
      if (decoded.errorName === 'Panic') return `Panic(0x${BigInt(decoded.args?.[0] as bigint).toString(16)})`;
      return `${decoded.errorName}(${(decoded.args ?? []).map(String).join(', ')})`;
    } catch {
      // not an error we can decode: fall back to the message
    }
  }
  const message = error instanceof BaseError ? error.details || error.shortMessage : error instanceof Error ? error.message : undefined;
  const match = message && /revert(?:ed)?:?\s*(.+)$/i.exec(message);
  return match?.[1]?.trim() || undefined;
}

function revertData(error: unknown): Hex | undefined {
  let found: Hex | undefined;
  const visit = (candidate: unknown): boolean => {
    const data = (candidate as { data?: unknown }).data;
    if (typeof data === 'string' && data.startsWith('0x')) found = data as Hex;
    else if (data && typeof (data as { data?: unknown }).data === 'string') found = (data as { data: Hex }).data;
    return found !== undefined;
  };
  if (error instanceof BaseError) error.walk(visit);
  else if (error) visit(error);
  return found;
}
