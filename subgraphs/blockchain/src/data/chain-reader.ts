import { getAddress, parseEventLogs, type Address, type Hash, type Log } from 'viem';
import type { ChainClients } from '../chain/rpc';
import { unavailableOnFailure } from '../chain/rpc';
import { forgeTokenAbi, treasuryAbi } from '../chain/abis';
import { revertReasonOf } from '../chain/revert-reason';
import type { Deployment } from '../chain/deployment';
import type { BlockchainMetrics } from '../metrics';
import { cacheJson, type RpcCache } from './cache';

export interface WalletState {
  address: string;
  ethBalance: bigint;
  forgeBalance: bigint;
  nonce: number;
}

export interface BlockView {
  number: number;
  hash: string;
  parentHash: string;
  timestamp: Date;
  transactionCount: number;
  gasUsed: bigint;
  miner: string;
}

export type TransactionStatus = 'PENDING' | 'SUCCESS' | 'FAILED';

export interface TransactionView {
  hash: string;
  from: string;
  to: string | null;
  value: bigint;
  nonce: number;
  status: TransactionStatus;
  blockNumber: number | null;
  gasUsed: bigint | null;
  revertReason: string | null;
  contractAddress: string | null;
  /** The $FORGE Transfer logs it emitted, in log order: none while pending, none when it reverted. */
  forgeTransfers: ForgeTransferLog[];
}

export interface ForgeTransferLog {
  logIndex: number;
  /** Lower-case hex. */
  from: string;
  /** Lower-case hex. */
  to: string;
  value: bigint;
}

/** Settled data (deep blocks, mined transactions) is cached this much longer than live data. */
const SETTLED_TTL_FACTOR = 60;

/**
 * Reads from the chain through the RPC cache. Each `many*` method reads the cache for all its keys
 * in one round trip and fetches every miss in one batched JSON-RPC round.
 */
export class ChainReader {
  constructor(
    readonly clients: ChainClients,
    readonly deployment: Deployment,
    private readonly cache: RpcCache,
    private readonly metrics: BlockchainMetrics,
    private readonly ttlSeconds: number,
    readonly confirmationsRequired: number,
  ) {}

  get chainId(): number {
    return this.clients.chain.id;
  }

  /** The latest block number, cached for a second (unless caching is off). */
  async head(): Promise<bigint> {
    const [value] = await this.cached(['head'], this.ttlSeconds > 0 ? 1 : 0, async () => [
      await unavailableOnFailure(() => this.clients.public.getBlockNumber({ cacheTime: 0 })),
    ]);
    return value!;
  }

  async wallets(addresses: readonly string[]): Promise<WalletState[]> {
    const { forgeToken } = this.deployment;
    return this.cached(
      addresses.map((address) => `wallet:${address}`),
      this.ttlSeconds,
      (missing) =>
        unavailableOnFailure(() =>
          // Started in the same tick: viem sends them as one JSON-RPC batch.
          Promise.all(
            missing.map(async (key) => {
              const address = getAddress(key.slice('wallet:'.length));
              const [ethBalance, forgeBalance, nonce] = await Promise.all([
                this.clients.public.getBalance({ address }),
                this.clients.public.readContract({ address: forgeToken, abi: forgeTokenAbi, functionName: 'balanceOf', args: [address] }),
                this.clients.public.getTransactionCount({ address }),
              ]);
              return { address: address.toLowerCase(), ethBalance, forgeBalance, nonce };
            }),
          ),
        ),
    );
  }

  async blocks(numbers: readonly number[]): Promise<(BlockView | null)[]> {
    const head = await this.head();
    const settled = numbers.every((number) => head - BigInt(number) >= BigInt(this.confirmationsRequired));
    return this.cached(
      numbers.map((number) => `block:${number}`),
      settled ? this.ttlSeconds * SETTLED_TTL_FACTOR : this.ttlSeconds,
      (missing) =>
        unavailableOnFailure(() =>
          Promise.all(
            missing.map(async (key) => {
              const blockNumber = BigInt(key.slice('block:'.length));
              if (blockNumber > head) return null;
              const block = await this.clients.public.getBlock({ blockNumber });
              return {
                number: Number(block.number),
                hash: block.hash!,
                parentHash: block.parentHash,
                timestamp: new Date(Number(block.timestamp) * 1000),
                transactionCount: block.transactions.length,
                gasUsed: block.gasUsed,
                miner: block.miner.toLowerCase(),
              };
            }),
          ),
        ),
      (block) => block !== null, // a block not mined yet will be soon
    ).then((blocks) => blocks.map((block) => (block ? { ...block, timestamp: new Date(block.timestamp) } : null)));
  }

  async transactions(hashes: readonly string[]): Promise<(TransactionView | null)[]> {
    // Pending transactions are never cached: their status is about to change.
    return this.cached(
      hashes.map((hash) => `tx:${hash}`),
      this.ttlSeconds * SETTLED_TTL_FACTOR,
      (missing) => unavailableOnFailure(() => Promise.all(missing.map((key) => this.fetchTransaction(key.slice('tx:'.length) as Hash)))),
      (view) => view !== null && view.status !== 'PENDING',
    );
  }

  private async fetchTransaction(hash: Hash): Promise<TransactionView | null> {
    const [transaction, receipt] = await Promise.all([
      this.clients.public.getTransaction({ hash }).catch(notFoundAsNull),
      this.clients.public.getTransactionReceipt({ hash }).catch(notFoundAsNull),
    ]);
    if (!transaction) return null;
    const failed = receipt?.status === 'reverted';
    return {
      hash,
      from: transaction.from.toLowerCase(),
      to: transaction.to?.toLowerCase() ?? null,
      value: transaction.value,
      nonce: transaction.nonce,
      status: !receipt ? 'PENDING' : failed ? 'FAILED' : 'SUCCESS',
      blockNumber: receipt ? Number(receipt.blockNumber) : null,
      gasUsed: receipt?.gasUsed ?? null,
      revertReason: failed ? ((await this.replayForReason(transaction, receipt.blockNumber)) ?? 'reverted without a reason') : null,
      contractAddress: receipt?.contractAddress?.toLowerCase() ?? null,
      forgeTransfers: receipt && !failed ? this.forgeTransfersIn(receipt.logs) : [],
    };
  }

  /** Transfer logs of the $FORGE contract only: any other token emits the same event signature. */
  private forgeTransfersIn(logs: Log[]): ForgeTransferLog[] {
    const token = this.deployment.forgeToken.toLowerCase();
    return parseEventLogs({ abi: forgeTokenAbi, eventName: 'Transfer', logs })
      .filter((log) => log.address.toLowerCase() === token)
      .map((log) => ({ logIndex: log.logIndex, from: log.args.from.toLowerCase(), to: log.args.to.toLowerCase(), value: log.args.value }));
  }

  /**
   * A receipt says only that a transaction reverted: replaying it as a call on the state of the
   * block before gives the reason the contract gave (the state just before the transaction inside
   * its block may differ in rare cases; the reason is then the node's best answer).
   */
  private async replayForReason(
    transaction: { from: Address; to: Address | null; input: `0x${string}`; value: bigint; gas: bigint },
    blockNumber: bigint,
  ): Promise<string | undefined> {
    try {
      await this.clients.public.call({
        account: transaction.from,
        to: transaction.to ?? undefined,
        data: transaction.input,
        value: transaction.value,
        gas: transaction.gas,
        blockNumber: blockNumber > 0n ? blockNumber - 1n : blockNumber,
      });
      return undefined;
    } catch (error) {
      return revertReasonOf(error);
    }
  }

  async forgeToken() {
    const [info] = await this.cached(['forge:info'], this.ttlSeconds, async () => {
      const address = this.deployment.forgeToken;
      const read = <F extends 'name' | 'symbol' | 'decimals' | 'totalSupply'>(functionName: F) =>
        this.clients.public.readContract({ address, abi: forgeTokenAbi, functionName });
      const [name, symbol, decimals, totalSupply] = await unavailableOnFailure(() =>
        Promise.all([read('name'), read('symbol'), read('decimals'), read('totalSupply')]),
      );
      return [{ address: address.toLowerCase(), name, symbol, decimals, totalSupply }];
    });
    return info!;
  }

  async allowance(owner: Address, spender: Address): Promise<bigint> {
    return unavailableOnFailure(() =>
      this.clients.public.readContract({ address: this.deployment.forgeToken, abi: forgeTokenAbi, functionName: 'allowance', args: [owner, spender] }),
    );
  }

  async treasuryOperator(): Promise<string> {
    const operator = await unavailableOnFailure(() =>
      this.clients.public.readContract({ address: this.deployment.treasury, abi: treasuryAbi, functionName: 'operator' }),
    );
    return operator.toLowerCase();
  }

  /** Cache-aside for a list of keys: one MGET, one load of the misses, one pipelined SET. */
  private async cached<T>(
    keys: string[],
    ttlSeconds: number,
    load: (missing: string[]) => Promise<T[]>,
    cacheable: (value: T) => boolean = () => true,
  ): Promise<T[]> {
    const hits = await this.cache.getMany(keys);
    const missing = keys.filter((_key, index) => hits[index] === null);
    this.metrics.cacheLookups.inc({ result: 'hit' }, keys.length - missing.length);
    if (missing.length > 0) this.metrics.cacheLookups.inc({ result: 'miss' }, missing.length);
    const loaded = missing.length > 0 ? await load(missing) : [];
    const fresh = new Map(missing.map((key, index) => [key, loaded[index] as T]));
    if (ttlSeconds > 0) {
      await this.cache.setMany(
        [...fresh].filter(([, value]) => cacheable(value)).map(([key, value]) => ({ key, value: cacheJson.stringify(value), ttlSeconds })),
      );
    }
    return keys.map((key, index) => (fresh.has(key) ? fresh.get(key)! : cacheJson.parse<T>(hits[index]!)));
  }
}

function notFoundAsNull(error: unknown): null {
  const name = (error as { name?: string }).name;
  if (name === 'TransactionNotFoundError' || name === 'TransactionReceiptNotFoundError') return null;
  throw error;
}
