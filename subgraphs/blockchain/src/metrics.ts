import { Counter, Gauge, Histogram } from 'prom-client';
import { ServiceMetrics } from '@supergraph/server';

/** The blockchain subgraph's metrics: what every service exports, and the chain's. */
export class BlockchainMetrics extends ServiceMetrics {
  readonly rpcDuration = new Histogram({
    name: 'blockchain_rpc_request_duration_seconds',
    help: 'Ethereum JSON-RPC calls, by method and outcome (ok, error).',
    labelNames: ['method', 'outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly transactionsSent = new Counter({
    name: 'blockchain_transactions_sent_total',
    help: 'Transactions the signing module signed and the node accepted.',
    registers: [this.registry],
  });
  readonly failedTransactions = new Counter({
    name: 'blockchain_failed_transactions_total',
    help: 'Transactions that failed: rejected before sending (rejected) or reverted on chain (reverted).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly cacheLookups = new Counter({
    name: 'blockchain_rpc_cache_lookups_total',
    help: 'RPC cache lookups by result (hit, miss).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly followedBlock = new Gauge({
    name: 'blockchain_follower_block',
    help: 'Last block the chain follower processed.',
    registers: [this.registry],
  });
  readonly chainHead = new Gauge({
    name: 'blockchain_chain_head_block',
    help: 'Latest block number the node reported.',
    registers: [this.registry],
  });
  readonly reorgs = new Counter({
    name: 'blockchain_reorgs_total',
    help: 'Chain reorganisations the follower undid.',
    registers: [this.registry],
  });
  readonly payouts = new Counter({
    name: 'blockchain_payouts_total',
    help: 'Unstake payouts by outcome: confirmed (paid), failed (reverted), resigned (its nonce went to another transaction).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly transfersSeen = new Counter({
    name: 'blockchain_token_transfers_total',
    help: '$FORGE Transfer events published, by status (PENDING, CONFIRMED, REMOVED).',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly analysisDuration = new Histogram({
    name: 'blockchain_analysis_duration_seconds',
    help: 'Chain intelligence latency: contract (one contractAnalysis) and block (MEV and wallet links of one block).',
    labelNames: ['analysis'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly blocksAnalysed = new Counter({
    name: 'blockchain_blocks_analysed_total',
    help: 'Blocks the chain follower ran MEV detection and wallet linking over.',
    registers: [this.registry],
  });
  readonly findings = new Counter({
    name: 'blockchain_mev_findings_total',
    help: 'MEV patterns found, by kind (SANDWICH, FRONT_RUN, BACK_RUN, ARBITRAGE).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly analysisCapHit = new Counter({
    name: 'blockchain_analysis_cap_hit_total',
    help: 'Blocks with more transactions than BLOCKCHAIN_ANALYSIS_MAX_TRANSACTIONS: only the first ones were analysed.',
    registers: [this.registry],
  });

  constructor() {
    super('blockchain');
  }
}
