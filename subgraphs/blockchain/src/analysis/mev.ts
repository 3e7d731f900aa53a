import { parseAbiItem, type Address } from 'viem';

/** The Swap events read: Uniswap V2's pair event and V3's pool event; any pool that logs one is read the same way. */
export const SWAP_EVENTS = [
  parseAbiItem('event Swap(address indexed sender, uint256 amount0In, uint256 amount1In, uint256 amount0Out, uint256 amount1Out, address indexed to)'),
  parseAbiItem(
    'event Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick)',
  ),
] as const;

/** One swap on one pool, in block order, attributed to the transaction's sender. */
export interface SwapTrade {
  txHash: string;
  txIndex: number;
  logIndex: number;
  /** Lower-case sender of the transaction (the EOA that ordered it, whatever contract it went through). */
  actor: string;
  /** What the sender bid per gas: the order a block builder sorts by. */
  gasPrice: bigint;
  pool: string;
  /** True when token0 went in and token1 came out. */
  zeroForOne: boolean;
  amountIn: bigint;
  amountOut: bigint;
}

export const MEV_KINDS = ['SANDWICH', 'FRONT_RUN', 'BACK_RUN', 'ARBITRAGE'] as const;
export const MEV_ROLES = ['FRONT_RUN', 'VICTIM', 'BACK_RUN', 'ARBITRAGE'] as const;
export type MevKind = (typeof MEV_KINDS)[number];
export type MevRole = (typeof MEV_ROLES)[number];

export interface MevPattern {
  kind: MevKind;
  attacker: string;
  victim: string | null;
  pool: string | null;
  transactions: { hash: string; role: MevRole }[];
  /** Base units of `profitToken` (may be negative: a failed attempt); null when not estimated. */
  profit: bigint | null;
  profitToken: string | null;
}

/** The tokens of a pool (token0, token1), when known. */
export type PoolTokens = (pool: string) => { token0: Address; token1: Address } | undefined;

/**
 * Reads a Swap log's amounts as one direction: the net token in and the net token out. V2 logs
 * gross amounts in and out; V3 logs signed amounts, positive into the pool.
 */
export function toTrade(
  log: { amount0In: bigint; amount1In: bigint; amount0Out: bigint; amount1Out: bigint } | { amount0: bigint; amount1: bigint },
): Pick<SwapTrade, 'zeroForOne' | 'amountIn' | 'amountOut'> | undefined {
  const [net0, net1] = 'amount0' in log ? [log.amount0, log.amount1] : [log.amount0In - log.amount0Out, log.amount1In - log.amount1Out];
  if (net0 > 0n && net1 < 0n) return { zeroForOne: true, amountIn: net0, amountOut: -net1 };
  if (net1 > 0n && net0 < 0n) return { zeroForOne: false, amountIn: net1, amountOut: -net0 };
  return undefined; // a flash swap paid back in kind: no direction to read
}

const byOrder = (a: SwapTrade, b: SwapTrade) => a.txIndex - b.txIndex || a.logIndex - b.logIndex;
const tokenIn = (trade: SwapTrade, tokens: PoolTokens) => tokens(trade.pool)?.[trade.zeroForOne ? 'token0' : 'token1'] ?? null;
const tokenOut = (trade: SwapTrade, tokens: PoolTokens) => tokens(trade.pool)?.[trade.zeroForOne ? 'token1' : 'token0'] ?? null;

/**
 * MEV in one block, from the order of its swaps:
 * - SANDWICH: on one pool, a swap by A, then a swap by V in the same direction, then a swap by A
 *   in the opposite direction. Profit: what A's back-run returned minus what its front-run spent, in
 *   the token the front-run spent (gas and any leftover of the other token not counted).
 * - FRONT_RUN (outside a sandwich): A's swap directly before V's on the same pool, in the same
 *   direction, with A bidding a higher gas price (it paid to go first).
 * - BACK_RUN (outside a sandwich): A's swap directly after V's on the same pool, in the opposite
 *   direction, at a rate that beats V's own (A bought back cheaper than V sold: it took part of V's
 *   price impact). Not estimated in profit: that needs a price outside the block.
 * - ARBITRAGE: one transaction whose swaps form a cycle (the last one's output token is the first
 *   one's input token) and return more than they put in.
 */
export function detectMev(swaps: readonly SwapTrade[], tokens: PoolTokens): MevPattern[] {
  const patterns: MevPattern[] = [];
  const inSandwich = new Set<SwapTrade>();
  const byPool = new Map<string, SwapTrade[]>();
  for (const swap of [...swaps].sort(byOrder)) byPool.set(swap.pool, [...(byPool.get(swap.pool) ?? []), swap]);

  for (const [pool, trades] of byPool) {
    for (let i = 0; i < trades.length; i++) {
      const front = trades[i]!;
      if (inSandwich.has(front)) continue;
      const backIndex = trades.findIndex((trade, k) => k > i + 1 && trade.actor === front.actor && trade.zeroForOne !== front.zeroForOne);
      if (backIndex < 0) continue;
      const victims = trades.slice(i + 1, backIndex).filter((trade) => trade.actor !== front.actor && trade.zeroForOne === front.zeroForOne);
      if (victims.length === 0) continue;
      const back = trades[backIndex]!;
      for (const trade of [front, back, ...victims]) inSandwich.add(trade);
      patterns.push({
        kind: 'SANDWICH',
        attacker: front.actor,
        victim: victims[0]!.actor,
        pool,
        transactions: [
          { hash: front.txHash, role: 'FRONT_RUN' },
          ...victims.map((victim) => ({ hash: victim.txHash, role: 'VICTIM' as const })),
          { hash: back.txHash, role: 'BACK_RUN' },
        ],
        profit: back.amountOut - front.amountIn,
        profitToken: tokenIn(front, tokens),
      });
    }
    for (let i = 0; i + 1 < trades.length; i++) {
      const [first, second] = [trades[i]!, trades[i + 1]!];
      if (inSandwich.has(first) || inSandwich.has(second) || first.actor === second.actor) continue;
      if (first.zeroForOne === second.zeroForOne && first.gasPrice > second.gasPrice) {
        patterns.push(pair('FRONT_RUN', first, second, 'FRONT_RUN', pool));
      } else if (first.zeroForOne !== second.zeroForOne && first.amountOut * second.amountOut > first.amountIn * second.amountIn) {
        patterns.push(pair('BACK_RUN', second, first, 'BACK_RUN', pool));
      }
    }
  }

  const byTransaction = new Map<string, SwapTrade[]>();
  for (const swap of swaps) byTransaction.set(swap.txHash, [...(byTransaction.get(swap.txHash) ?? []), swap]);
  for (const [hash, trades] of byTransaction) {
    if (trades.length < 2) continue;
    const ordered = trades.sort(byOrder);
    const first = ordered[0]!;
    const last = ordered.at(-1)!;
    const start = tokenIn(first, tokens);
    const chained = ordered.every((trade, k) => k === 0 || tokenIn(trade, tokens) === tokenOut(ordered[k - 1]!, tokens));
    if (start && chained && tokenOut(last, tokens) === start && last.amountOut > first.amountIn) {
      patterns.push({
        kind: 'ARBITRAGE',
        attacker: first.actor,
        victim: null,
        pool: null,
        transactions: [{ hash, role: 'ARBITRAGE' }],
        profit: last.amountOut - first.amountIn,
        profitToken: start,
      });
    }
  }
  return patterns;
}

/** A front- or back-run of one victim; the transactions in block order. */
function pair(kind: 'FRONT_RUN' | 'BACK_RUN', attacker: SwapTrade, victim: SwapTrade, role: MevRole, pool: string): MevPattern {
  const ours = { hash: attacker.txHash, role };
  const theirs = { hash: victim.txHash, role: 'VICTIM' as const };
  const transactions = kind === 'FRONT_RUN' ? [ours, theirs] : [theirs, ours];
  return { kind, attacker: attacker.actor, victim: victim.actor, pool, transactions, profit: null, profitToken: null };
}
