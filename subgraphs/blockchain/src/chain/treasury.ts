import type { Address, Hash } from 'viem';
import { clientError, type Logger } from '@supergraph/server';
import { forgeTokenAbi, treasuryAbi } from './abis';
import type { Deployment } from './deployment';
import { revertReasonOf } from './revert-reason';
import { isUnavailable, rpcUnavailable, type ChainClients } from './rpc';
import type { BlockchainMetrics } from '../metrics';

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
    const run = this.queue.then(() => this.send(to, value));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async send(to: Address, value: bigint): Promise<Hash> {
    const { clients, deployment } = this;
    const operator = clients.wallet.account.address;
    let hash: Hash;
    try {
      const [balance, gasBalance] = await Promise.all([
        clients.public.readContract({ address: deployment.forgeToken, abi: forgeTokenAbi, functionName: 'balanceOf', args: [deployment.treasury] }),
        clients.public.getBalance({ address: operator }),
      ]);
      if (balance < value) {
        throw clientError('INSUFFICIENT_FUNDS', `The treasury holds ${balance} base units of $FORGE, less than ${value}`, { field: 'amount' });
      }
      if (gasBalance === 0n) throw clientError('INSUFFICIENT_FUNDS', 'The treasury operator has no ETH to pay gas');
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
