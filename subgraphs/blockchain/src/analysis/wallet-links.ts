import type { Prisma } from '../generated/prisma/client';

/** A value transfer in a block: a transaction's ETH value, or a $FORGE Transfer log. */
export interface ValueEdge {
  txHash: string;
  /** -1 for the transaction's own ETH value, else the Transfer's log index. */
  logIndex: number;
  blockNumber: bigint;
  /** Lower-case. */
  from: string;
  to: string;
  asset: 'ETH' | 'FORGE';
  value: bigint;
  /** True when `from` signed the transaction (so it is an externally owned account). */
  fromIsSender: boolean;
}

export const LINK_HEURISTICS = ['COMMON_FUNDER', 'DEPOSIT_ADDRESS', 'ROUND_TRIP', 'PEEL_CHAIN', 'CO_ACTIVITY'] as const;
export type LinkHeuristic = (typeof LINK_HEURISTICS)[number];

export interface WalletLinkOptions {
  /** Score of two wallets first funded by the same address. Default 0.5 (weak alone: faucets and payroll fund many). */
  commonFunderScore?: number;
  /** A funder that first-funded more wallets than this is a service (exchange, faucet): no links. Default 20. */
  maxFundedPerFunder?: number;
  /** Score of two wallets that paid into one deposit address that then swept onward. Default 0.8. */
  depositScore?: number;
  /** An address that received from more distinct senders than this is not one user's deposit address. Default 5. */
  maxDepositSenders?: number;
  /** Score of A → B followed later by B → A. Default 0.6. */
  roundTripScore?: number;
  /** Score of a one-time hop and the fresh address it passed the larger part of its funds to, after peeling some off elsewhere. Default 0.7. */
  peelChainScore?: number;
  /** Score of two senders active in the same blocks at least `coActivityBlocks` times. Default 0.3. */
  coActivityScore?: number;
  /** Shared blocks within `coActivityWindow` blocks that count as co-activity. Default 3 of 50. */
  coActivityBlocks?: number;
  coActivityWindow?: number;
  /** Blocks with more distinct senders than this are too busy for co-activity to mean anything. Default 10. */
  coActivityMaxSenders?: number;
}

const DEFAULTS: Required<WalletLinkOptions> = {
  commonFunderScore: 0.5,
  maxFundedPerFunder: 20,
  depositScore: 0.8,
  maxDepositSenders: 5,
  roundTripScore: 0.6,
  peelChainScore: 0.7,
  coActivityScore: 0.3,
  coActivityBlocks: 3,
  coActivityWindow: 50,
  coActivityMaxSenders: 10,
};

interface Link {
  a: string;
  b: string;
  heuristic: LinkHeuristic;
  score: number;
  evidence: string;
  txHash: string;
  blockNumber: bigint;
}

/**
 * Stores a block's value transfers and the wallet links they reveal, inside the follower's
 * transaction (so a reorg that deletes the block's rows withdraws its links too). Each heuristic
 * looks only at what the follower has seen since its start block.
 */
export class WalletLinker {
  private readonly options: Required<WalletLinkOptions>;

  constructor(options: WalletLinkOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  async record(tx: Prisma.TransactionClient, blockNumber: bigint, edges: readonly ValueEdge[]): Promise<number> {
    if (edges.length === 0) return 0;
    await tx.walletEdge.createMany({
      data: edges.map((edge) => ({
        txHash: edge.txHash,
        logIndex: edge.logIndex,
        blockNumber: edge.blockNumber,
        fromAddress: edge.from,
        toAddress: edge.to,
        asset: edge.asset,
        value: edge.value.toString(),
      })),
      skipDuplicates: true,
    });
    const links: Link[] = [];
    for (const edge of edges) {
      if (edge.from === edge.to) continue;
      links.push(...(await this.commonFunder(tx, edge)), ...(await this.roundTrip(tx, edge)), ...(await this.peelChain(tx, edge)));
      if (edge.fromIsSender) links.push(...(await this.depositSweep(tx, edge)));
    }
    links.push(...(await this.coActivity(tx, blockNumber, edges)));
    if (links.length > 0) {
      await tx.walletLink.createMany({
        data: links.map((link) => {
          const [addressA, addressB] = link.a < link.b ? [link.a, link.b] : [link.b, link.a];
          return {
            addressA,
            addressB,
            heuristic: link.heuristic,
            score: link.score,
            evidence: link.evidence,
            blockNumber: link.blockNumber,
            txHash: link.txHash,
          };
        }),
        skipDuplicates: true,
      });
    }
    return links.length;
  }

  /** Everything above `blockNumber` leaves: a reorg removed those blocks. */
  async withdrawAbove(tx: Prisma.TransactionClient, blockNumber: bigint): Promise<void> {
    await tx.walletLink.deleteMany({ where: { blockNumber: { gt: blockNumber } } });
    await tx.walletEdge.deleteMany({ where: { blockNumber: { gt: blockNumber } } });
  }

  /** The edge is the recipient's first incoming one: link it with every other wallet the same sender first funded. */
  private async commonFunder(tx: Prisma.TransactionClient, edge: ValueEdge): Promise<Link[]> {
    const first = await this.firstFunder(tx, edge.to);
    if (first?.txHash !== edge.txHash || first.logIndex !== edge.logIndex) return [];
    const siblings = await tx.$queryRaw<{ address: string }[]>`
      SELECT funded.to_address AS address FROM (
        SELECT DISTINCT ON (e.to_address) e.to_address, e.from_address
        FROM wallet_edges e
        WHERE e.to_address IN (SELECT to_address FROM wallet_edges WHERE from_address = ${edge.from})
        ORDER BY e.to_address, e.block_number, e.tx_hash, e.log_index
      ) funded
      WHERE funded.from_address = ${edge.from} AND funded.to_address <> ${edge.to}
      LIMIT ${this.options.maxFundedPerFunder + 1}`;
    if (siblings.length > this.options.maxFundedPerFunder) return [];
    return siblings.map(({ address }) => ({
      a: edge.to,
      b: address,
      heuristic: 'COMMON_FUNDER',
      score: this.options.commonFunderScore,
      evidence: `both first funded by ${edge.from}`,
      txHash: edge.txHash,
      blockNumber: edge.blockNumber,
    }));
  }

  private firstFunder(tx: Prisma.TransactionClient, address: string) {
    return tx.walletEdge.findFirst({ where: { toAddress: address }, orderBy: [{ blockNumber: 'asc' }, { txHash: 'asc' }, { logIndex: 'asc' }] });
  }

  /**
   * The sender forwards what it received (a sweep): if few wallets ever paid into it, it is one
   * user's deposit address, and those wallets are that user's.
   */
  private async depositSweep(tx: Prisma.TransactionClient, edge: ValueEdge): Promise<Link[]> {
    const depositors = await tx.walletEdge.findMany({
      where: { toAddress: edge.from, fromAddress: { not: edge.to } },
      distinct: ['fromAddress'],
      select: { fromAddress: true },
      take: this.options.maxDepositSenders + 1,
    });
    if (depositors.length < 2 || depositors.length > this.options.maxDepositSenders) return [];
    const links: Link[] = [];
    for (let i = 0; i < depositors.length; i++) {
      for (let j = i + 1; j < depositors.length; j++) {
        links.push({
          a: depositors[i]!.fromAddress,
          b: depositors[j]!.fromAddress,
          heuristic: 'DEPOSIT_ADDRESS',
          score: this.options.depositScore,
          evidence: `both paid into ${edge.from}, which swept to ${edge.to}`,
          txHash: edge.txHash,
          blockNumber: edge.blockNumber,
        });
      }
    }
    return links;
  }

  private async roundTrip(tx: Prisma.TransactionClient, edge: ValueEdge): Promise<Link[]> {
    const earlier = await tx.walletEdge.findFirst({
      where: {
        fromAddress: edge.to,
        toAddress: edge.from,
        OR: [{ blockNumber: { lt: edge.blockNumber } }, { blockNumber: edge.blockNumber, txHash: { not: edge.txHash } }],
      },
    });
    if (!earlier) return [];
    return [
      {
        a: edge.from,
        b: edge.to,
        heuristic: 'ROUND_TRIP',
        score: this.options.roundTripScore,
        evidence: `${edge.to} sent to ${edge.from} (${earlier.txHash}) and got value back`,
        txHash: edge.txHash,
        blockNumber: edge.blockNumber,
      },
    ];
  }

  /**
   * A peel chain: a hop address funded once passes the larger part of those funds on to a fresh
   * address (its change, so its owner's) after peeling a smaller payment off to someone else.
   */
  private async peelChain(tx: Prisma.TransactionClient, edge: ValueEdge): Promise<Link[]> {
    const first = await this.firstFunder(tx, edge.to);
    if (first?.txHash !== edge.txHash || first.logIndex !== edge.logIndex) return [];
    const incoming = await tx.walletEdge.findMany({ where: { toAddress: edge.from, asset: edge.asset }, take: 2 });
    if (incoming.length !== 1 || edge.value * 2n <= BigInt(incoming[0]!.value)) return [];
    const peeled = await tx.walletEdge.findFirst({
      where: { fromAddress: edge.from, asset: edge.asset, toAddress: { not: edge.to }, blockNumber: { lte: edge.blockNumber } },
    });
    if (!peeled || BigInt(peeled.value) >= edge.value) return [];
    return [
      {
        a: edge.from,
        b: edge.to,
        heuristic: 'PEEL_CHAIN',
        score: this.options.peelChainScore,
        evidence: `${edge.from}, funded once, peeled ${peeled.value} off to ${peeled.toAddress} and passed ${edge.value} on to the fresh ${edge.to}`,
        txHash: edge.txHash,
        blockNumber: edge.blockNumber,
      },
    ];
  }

  /** Senders of a quiet block that keep appearing in the same blocks. */
  private async coActivity(tx: Prisma.TransactionClient, blockNumber: bigint, edges: readonly ValueEdge[]): Promise<Link[]> {
    const senders = [...new Set(edges.filter((edge) => edge.fromIsSender).map((edge) => edge.from))].sort();
    if (senders.length < 2 || senders.length > this.options.coActivityMaxSenders) return [];
    const rows = await tx.$queryRaw<{ address: string; block_number: bigint }[]>`
      SELECT DISTINCT from_address AS address, block_number FROM wallet_edges
      WHERE from_address = ANY(${senders}::text[]) AND block_number > ${blockNumber - BigInt(this.options.coActivityWindow)} AND block_number <= ${blockNumber}`;
    const blocksOf = new Map<string, Set<bigint>>();
    for (const row of rows) blocksOf.set(row.address, (blocksOf.get(row.address) ?? new Set()).add(row.block_number));
    const links: Link[] = [];
    for (let i = 0; i < senders.length; i++) {
      for (let j = i + 1; j < senders.length; j++) {
        const mine = blocksOf.get(senders[i]!) ?? new Set<bigint>();
        const shared = [...(blocksOf.get(senders[j]!) ?? [])].filter((block) => mine.has(block)).length;
        if (shared < this.options.coActivityBlocks) continue;
        links.push({
          a: senders[i]!,
          b: senders[j]!,
          heuristic: 'CO_ACTIVITY',
          score: this.options.coActivityScore,
          evidence: `sent in the same ${shared} of the last ${this.options.coActivityWindow} blocks`,
          txHash: edges.find((edge) => edge.from === senders[i])!.txHash,
          blockNumber,
        });
      }
    }
    return links;
  }
}
