import { encodeFunctionData, keccak256, type Address, type Hash, type Hex } from 'viem';
import { clientError, type Logger } from '@supergraph/server';
import { forgeTokenAbi, treasuryAbi } from './abis';
import type { Deployment } from './deployment';
import { revertReasonOf } from './revert-reason';
import { isUnavailable, rpcUnavailable, type ChainClients } from './rpc';
import type { BlockchainMetrics } from '../metrics';

/** A payout signed but not necessarily broadcast: what a restart needs to find or resend it. */
export interface SignedPayout {
  hash: Hash;
  nonce: number;
  /** The serialised signed transaction, for eth_sendRawTransaction. */
  raw: Hex;
}

/**
 * Pays $FORGE out of the treasury contract. The transaction is signed by the signing module
 * (through the wallet client's account) — this code never sees a key. Sends are serialised so
 * that nonces never collide.
 */
export class TreasuryPayouts {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly clients: ChainClients,
    private readonly deployment: Deployment,
    private readonly metrics: BlockchainMetrics,
    private readonly logger: Logger,
  ) {}

  payout(to: Address, value: bigint): Promise<Hash> {
    return this.exclusive(() => this.send(to, value));
  }

  /**
   * Runs `work` alone among this process's sends: a transaction signed inside takes the next
   * nonce, and no other send takes it before `work` has broadcast it.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Signs a payout with the operator's next nonce without sending it (call inside `exclusive`), so
   * the caller can record it first. INSUFFICIENT_FUNDS when the treasury or the gas cannot cover it.
   */
  async signPayout(to: Address, value: bigint): Promise<SignedPayout> {
    const { clients, deployment } = this;
    await this.checkFunds(value);
    const request = await clients.wallet.prepareTransactionRequest({
      to: deployment.treasury,
      data: encodeFunctionData({ abi: treasuryAbi, functionName: 'payout', args: [deployment.forgeToken, to, value] }),
    });
    const raw = await clients.wallet.signTransaction(request);
    return { hash: keccak256(raw), nonce: request.nonce, raw };
  }

  /** Sends a signed transaction. Sending the same one again is harmless: one hash is mined at most once. */
  async broadcast(raw: Hex): Promise<void> {
    await this.clients.public.sendRawTransaction({ serializedTransaction: raw });
    this.metrics.transactionsSent.inc();
  }

  /** The treasury holds `value` $FORGE and the operator has gas, or INSUFFICIENT_FUNDS. */
  private async checkFunds(value: bigint): Promise<void> {
    const { clients, deployment } = this;
    const [balance, gasBalance] = await Promise.all([
      clients.public.readContract({ address: deployment.forgeToken, abi: forgeTokenAbi, functionName: 'balanceOf', args: [deployment.treasury] }),
      clients.public.getBalance({ address: clients.wallet.account.address }),
    ]);
    if (balance < value) {
      throw clientError('INSUFFICIENT_FUNDS', `The treasury holds ${balance} base units of $FORGE, less than ${value}`, { field: 'amount' });
    }
    if (gasBalance === 0n) throw clientError('INSUFFICIENT_FUNDS', 'The treasury operator has no ETH to pay gas');
  }

  private async send(to: Address, value: bigint): Promise<Hash> {
    const { clients, deployment } = this;
    let hash: Hash;
    try {
      await this.checkFunds(value);
      hash = await clients.wallet.writeContract({
        address: deployment.treasury,
        abi: treasuryAbi,
        functionName: 'payout',
        args: [deployment.forgeToken, to, value],
      });
    } catch (error) {
      this.metrics.failedTransactions.inc({ reason: 'rejected' });
      if ((error as { extensions?: unknown }).extensions) throw error;
      if (isUnavailable(error)) throw rpcUnavailable();
      const reason = revertReasonOf(error);
      this.logger.warn('treasury payout rejected', { reason: reason ?? 'unknown', to });
      throw clientError('TRANSACTION_REJECTED', reason ? `The node rejected the payout: ${reason}` : 'The node rejected the payout');
    }
    this.metrics.transactionsSent.inc();
    this.logger.info('treasury payout sent', { hash, to, value: value.toString() });
    // Count a revert once it is mined (the GraphQL Transaction reports it as FAILED with its reason).
    clients.public.waitForTransactionReceipt({ hash, pollingInterval: 500, timeout: 600_000 }).then(
      (receipt) => {
        if (receipt.status === 'reverted') {
          this.metrics.failedTransactions.inc({ reason: 'reverted' });
          this.logger.warn('treasury payout reverted', { hash });
        }
      },
      () => undefined,
    );
    return hash;
  }
}
