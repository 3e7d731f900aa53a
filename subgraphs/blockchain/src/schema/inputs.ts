import { isAddress, isHash, type Address, type Hash } from 'viem';
import { badUserInput } from '@supergraph/server';

/** A 20-byte hex address (any case; a mixed-case one must carry a valid EIP-55 checksum), lower-cased. */
export function parseAddress(value: string, field = 'address'): Address {
  if (!isAddress(value, { strict: true })) {
    throw badUserInput(`"${preview(value)}" is not an Ethereum address (0x followed by 40 hex digits)`, 'INVALID_ADDRESS', field);
  }
  return value.toLowerCase() as Address;
}

export function parseTransactionHash(value: string, field = 'hash'): Hash {
  if (!isHash(value)) {
    throw badUserInput(`"${preview(value)}" is not a transaction hash (0x followed by 64 hex digits)`, 'INVALID_TRANSACTION_HASH', field);
  }
  return value.toLowerCase() as Hash;
}

/** A positive amount in base units, as a decimal string (uint256 exceeds GraphQL's Int). */
export function parseAmount(value: string, field = 'amount'): bigint {
  if (!/^[0-9]{1,78}$/.test(value) || BigInt(value) === 0n || BigInt(value) >= 2n ** 256n) {
    throw badUserInput('amount must be a positive whole number of base units (e.g. "1000000000000000000" for 1 $FORGE)', 'INVALID_AMOUNT', field);
  }
  return BigInt(value);
}

function preview(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}
