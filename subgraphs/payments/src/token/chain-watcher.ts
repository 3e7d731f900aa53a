/**
 * What payments needs from the chain to settle a $FORGE payment: the ERC-20 Transfer in a
 * transaction and how many confirmations it has. The blockchain subgraph supplies it two ways:
 * `blockchain.tokenTransfer` events (token/transfer-consumer.ts; fast, at most once) and lookups
 * (token/http-chain-watcher.ts, the default watcher), which the mutation and the periodic re-check
 * use. `NO_CHAIN` knows no transfer: for unit tests that settle payments only by hand.
 */
export interface TokenTransfer {
  txHash: string;
  /** Lower-case hex. */
  from: string;
  /** Lower-case hex. */
  to: string;
  /** Base units as a decimal string. */
  value: string;
  confirmations: number;
  status: 'PENDING' | 'CONFIRMED' | 'REMOVED';
}

export interface ChainWatcher {
  /** The $FORGE transfer in `txHash` as the chain shows it now, or null when none is known. */
  transferByTx(txHash: string): Promise<TokenTransfer | null>;
}

export const NO_CHAIN: ChainWatcher = { transferByTx: async () => null };

export type TransferVerdict = { status: 'SUCCEEDED' } | { status: 'FAILED'; reason: string } | { status: 'PENDING'; reason: string };

/**
 * Whether `transfer` pays `payment`: to the treasury, exactly the amount, from one of the payer's
 * wallets, with at least `confirmations` blocks. Anything short of confirmed waits.
 */
export function judgeTransfer(
  payment: { amount: bigint },
  transfer: TokenTransfer | null,
  rules: { treasury: string | undefined; confirmations: number; payerWallets: readonly string[] },
): TransferVerdict {
  if (!transfer || transfer.status === 'REMOVED') return { status: 'PENDING', reason: 'transfer not on chain' };
  if (!rules.treasury) return { status: 'PENDING', reason: 'treasury address unknown' };
  if (transfer.to.toLowerCase() !== rules.treasury.toLowerCase()) return { status: 'FAILED', reason: 'transfer is not to the treasury' };
  if (BigInt(transfer.value) !== payment.amount) return { status: 'FAILED', reason: `transfer is ${transfer.value}, not ${payment.amount}` };
  if (!isFromPayer(transfer, rules.payerWallets)) return { status: 'FAILED', reason: 'transfer is not from a wallet linked to the payer' };
  if (transfer.confirmations < rules.confirmations) return { status: 'PENDING', reason: `${transfer.confirmations}/${rules.confirmations} confirmations` };
  return { status: 'SUCCEEDED' };
}

/** Whether one of the payer's wallets sent `transfer`: only then may a payment of theirs hold its transaction. */
export function isFromPayer(transfer: Pick<TokenTransfer, 'from'>, payerWallets: readonly string[]): boolean {
  return payerWallets.some((wallet) => wallet.toLowerCase() === transfer.from.toLowerCase());
}
