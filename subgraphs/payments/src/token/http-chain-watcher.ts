import { callService } from '@supergraph/subgraph';
import type { ChainWatcher, TokenTransfer } from './chain-watcher';

/** One $FORGE Transfer as the blockchain subgraph's `tokenTransfersInTransactions` answers it. */
interface TransferAnswer {
  hash: string;
  from: string;
  to: string;
  value: string;
  confirmations: number;
  status: TokenTransfer['status'];
}

const TRANSFERS_IN_TRANSACTION = 'query ($hashes: [String!]!) { tokenTransfersInTransactions(hashes: $hashes) { hash from to value confirmations status } }';

/**
 * The chain as the blockchain subgraph reads it (BLOCKCHAIN_URL, signed SERVICE identity): what
 * lets the mutation-time check and the periodic re-check settle token payments without the event
 * bus. An unreachable or failing blockchain subgraph throws; callers keep the payment PENDING.
 */
export class HttpChainWatcher implements ChainWatcher {
  constructor(
    private readonly url: string,
    private readonly signingSecret: string,
    /** The treasury: of several transfers in one transaction, the one that pays it is the one to judge. */
    private readonly treasury: () => string | undefined,
    private readonly timeoutMs = 10_000,
  ) {}

  async transferByTx(txHash: string): Promise<TokenTransfer | null> {
    const data = await callService<{ tokenTransfersInTransactions: TransferAnswer[] }>(
      { url: this.url, signingSecret: this.signingSecret, timeoutMs: this.timeoutMs, name: 'blockchain' },
      TRANSFERS_IN_TRANSACTION,
      { hashes: [txHash] },
    );
    const transfers = data.tokenTransfersInTransactions.map(({ hash, ...transfer }) => ({ txHash: hash, ...transfer }));
    const treasury = this.treasury()?.toLowerCase();
    // Without one to the treasury the first is judged, and fails the payment for its recipient.
    return transfers.find((transfer) => transfer.to === treasury) ?? transfers[0] ?? null;
  }
}
