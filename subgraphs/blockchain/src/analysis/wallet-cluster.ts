import type { PrismaClient, WalletLink } from '../generated/prisma/client';

export interface ClusterOptions {
  /** Combined score two wallets need to be joined. Default 0.7: one strong piece of evidence, or two middling ones. */
  threshold?: number;
  /** Members gathered at most (the walk stops there). Default 200. */
  maxMembers?: number;
}

export interface WalletCluster {
  members: string[];
  /** The weakest combined score among the joins that made the cluster. */
  confidence: number;
  /** The stored evidence between members. */
  links: WalletLink[];
}

/** Union-find with path halving: the cluster structure over the pairs that pass the threshold. */
export class UnionFind {
  private readonly parent = new Map<string, string>();

  find(item: string): string {
    let node = item;
    for (;;) {
      const parent = this.parent.get(node) ?? node;
      if (parent === node) return node;
      const grand = this.parent.get(parent) ?? parent;
      this.parent.set(node, grand);
      node = grand;
    }
  }

  /** True when the two were in different sets. */
  union(a: string, b: string): boolean {
    const [rootA, rootB] = [this.find(a), this.find(b)];
    if (rootA === rootB) return false;
    this.parent.set(rootA, rootB);
    return true;
  }
}

/**
 * Evidence for one pair combines as independent signals: 1 − Π(1 − score), over the strongest
 * piece of each heuristic (a heuristic repeated is not new evidence).
 */
export function combinedScore(links: readonly Pick<WalletLink, 'heuristic' | 'score'>[]): number {
  const strongest = new Map<string, number>();
  for (const link of links) strongest.set(link.heuristic, Math.max(strongest.get(link.heuristic) ?? 0, link.score));
  return 1 - [...strongest.values()].reduce((rest, score) => rest * (1 - score), 1);
}

/**
 * The cluster of `address`: starting from it, pairs whose combined score passes the threshold are
 * joined (union-find), following the stored links outward until no new member joins. Null when
 * the wallet is joined to no other.
 */
export async function clusterOf(prisma: PrismaClient, address: string, options: ClusterOptions = {}): Promise<WalletCluster | null> {
  const threshold = options.threshold ?? 0.7;
  const maxMembers = options.maxMembers ?? 200;
  const sets = new UnionFind();
  const members = new Set([address]);
  const evidence = new Map<string, WalletLink>();
  let confidence = 1;
  let frontier = [address];
  while (frontier.length > 0 && members.size < maxMembers) {
    const links = await prisma.walletLink.findMany({ where: { OR: [{ addressA: { in: frontier } }, { addressB: { in: frontier } }] } });
    const pairs = new Map<string, WalletLink[]>();
    for (const link of links) pairs.set(`${link.addressA}|${link.addressB}`, [...(pairs.get(`${link.addressA}|${link.addressB}`) ?? []), link]);
    const next: string[] = [];
    for (const [pair, pieces] of pairs) {
      const score = combinedScore(pieces);
      if (score < threshold) continue;
      const [a, b] = pair.split('|') as [string, string];
      if (sets.union(a, b)) confidence = Math.min(confidence, score);
      for (const piece of pieces) evidence.set(`${piece.addressA}|${piece.addressB}|${piece.heuristic}|${piece.txHash}`, piece);
      for (const member of [a, b]) {
        if (members.has(member) || members.size >= maxMembers) continue;
        members.add(member);
        next.push(member);
      }
    }
    frontier = next;
  }
  if (members.size < 2) return null;
  const inCluster = [...evidence.values()].filter((link) => members.has(link.addressA) && members.has(link.addressB));
  return { members: [...members].sort(), confidence, links: inCluster };
}
