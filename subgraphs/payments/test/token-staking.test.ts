import { randomBytes, randomUUID } from 'node:crypto';
import { errorCodes, EVENT_CHANNEL_PREFIX } from '@supergraph/testing';
import type { Tier } from '../src/generated/prisma/enums';
import type { PayoutsClient, PayoutState } from '../src/data/payouts-client';
import type { UsersClient } from '../src/data/users-client';
import { forge } from '../src/domain/money';
import type { ChainWatcher, TokenTransfer } from '../src/token/chain-watcher';
import { eventually, REDIS_URL, startPaymentsHarness, userIdentity, type PaymentsHarness } from './harness';
import { RedisEventBus } from '@supergraph/pubsub';

// The blockchain subgraph is not part of this test: a chain double stands in (allowed in unit
// tests only), and so does a users client that records tier changes and knows users' wallets.
const TREASURY = '0x' + 'ab'.repeat(20);
const chain = new Map<string, TokenTransfer>();
const chainDouble: ChainWatcher = { transferByTx: async (txHash) => chain.get(txHash) ?? null };
const wallets = new Map<string, string[]>();
const tiers: { userId: string; tier: Tier }[] = [];
const usersDown = { value: false };
const usersDouble: UsersClient = {
  setUserTier: async (userId, tier) => {
    if (usersDown.value) throw new Error('users subgraph unreachable');
    tiers.push({ userId, tier });
  },
  walletAddresses: async (userId) => wallets.get(userId) ?? [],
};

// The blockchain subgraph's payouts: what it is asked, and what it answers (null: unreachable).
const payoutRequests: { entryId: string; to: string; amount: string }[] = [];
const payoutAnswers = new Map<string, PayoutState | null>();
const payoutsDouble: PayoutsClient = {
  requestPayout: async (request) => {
    payoutRequests.push(request);
    const answer = payoutAnswers.get(request.entryId) ?? { status: 'PENDING', txHash: null };
    if (answer === null) throw new Error('blockchain subgraph unreachable');
    return answer;
  },
};

let h: PaymentsHarness;
beforeAll(async () => {
  h = await startPaymentsHarness({
    env: { TREASURY_ADDRESS: TREASURY, FORGE_TOKEN_ADDRESS: '0x' + 'cd'.repeat(20), BLOCKCHAIN_CONFIRMATIONS: '3' },
    dependencies: { chain: chainDouble, users: usersDouble, payouts: payoutsDouble },
  });
});
afterAll(() => h?.stop());

const PAY = `mutation ($amount: String!, $txHash: String!, $key: String!) {
  payWithToken(amount: $amount, txHash: $txHash, idempotencyKey: $key) { id amount currency method status failureReason providerReference }
}`;
const STAKE = `mutation ($amount: String!, $txHash: String!, $key: String!) {
  stake(amount: $amount, txHash: $txHash, idempotencyKey: $key) { id amount status purpose }
}`;
const UNSTAKE = `mutation ($amount: String!, $key: String!) { unstake(amount: $amount, idempotencyKey: $key) { staked tier feeDiscount } }`;

function newUser() {
  const userId = randomUUID();
  const wallet = '0x' + randomBytes(20).toString('hex');
  wallets.set(userId, [wallet]);
  return { userId, wallet, identity: userIdentity(userId) };
}

function transfer(from: string, value: bigint, confirmations: number, overrides: Partial<TokenTransfer> = {}): TokenTransfer {
  return {
    txHash: '0x' + randomBytes(32).toString('hex'),
    from,
    to: TREASURY,
    value: value.toString(),
    confirmations,
    status: confirmations >= 3 ? 'CONFIRMED' : 'PENDING',
    ...overrides,
  };
}

describe('token payments', () => {
  it('stays PENDING until the transfer has the configured confirmations, then SUCCEEDS', async () => {
    const { userId, wallet, identity } = newUser();
    const seen = transfer(wallet, forge(5), 1);
    chain.set(seen.txHash, seen);
    const response = await h.call(PAY, { amount: forge(5).toString(), txHash: seen.txHash, key: randomUUID() }, identity);
    expect(response.data!.payWithToken).toMatchObject({
      method: 'TOKEN',
      currency: 'FORGE',
      amount: '5000000000000000000',
      status: 'PENDING',
      providerReference: seen.txHash,
    });
    // The blockchain subgraph announces progress on Redis; payments asks the chain each time.
    const bus = new RedisEventBus(REDIS_URL, EVENT_CHANNEL_PREFIX);
    try {
      chain.set(seen.txHash, { ...seen, confirmations: 2 });
      expect(await h.subgraph.services.payments.onTokenTransfer(seen)).toMatchObject([{ status: 'PENDING' }]);
      chain.set(seen.txHash, { ...seen, confirmations: 3, status: 'CONFIRMED' });
      await bus.publish('blockchain.tokenTransfer', { ...seen, confirmations: 3, status: 'CONFIRMED' });
      const settled = await eventually(
        () => h.prisma.payment.findFirstOrThrow({ where: { userId } }),
        (payment) => payment.status !== 'PENDING',
      );
      expect(settled.status).toBe('SUCCEEDED');
    } finally {
      await bus.close();
    }
  });

  it('settles nothing on a forged transfer event: the chain is asked, and it says otherwise', async () => {
    const { userId, wallet, identity } = newUser();
    const seen = transfer(wallet, forge(7), 1);
    chain.set(seen.txHash, seen);
    await h.call(PAY, { amount: forge(7).toString(), txHash: seen.txHash, key: randomUUID() }, identity);
    // Someone with access to Redis claims the transfer is confirmed; the chain shows 1 confirmation.
    const forged: TokenTransfer = { ...seen, confirmations: 99, status: 'CONFIRMED' };
    expect(await h.subgraph.services.payments.onTokenTransfer(forged)).toMatchObject([{ status: 'PENDING' }]);
    expect((await h.prisma.payment.findFirstOrThrow({ where: { userId } })).status).toBe('PENDING');
  });

  it('catches up on a missed transfer event by asking the chain watcher', async () => {
    const { userId, wallet, identity } = newUser();
    const late = transfer(wallet, 42n, 0);
    const response = await h.call(PAY, { amount: '42', txHash: late.txHash, key: randomUUID() }, identity);
    expect(response.data!.payWithToken.status).toBe('PENDING');
    // The CONFIRMED event went out while nobody listened; the chain now shows it.
    chain.set(late.txHash, { ...late, confirmations: 4, status: 'CONFIRMED' });
    expect(await h.subgraph.services.payments.reconcileTokenPayments(0)).toBeGreaterThanOrEqual(1);
    expect((await h.prisma.payment.findFirstOrThrow({ where: { userId } })).status).toBe('SUCCEEDED');
  });

  it.each([
    ['to another address', (t: TokenTransfer) => ({ ...t, to: '0x' + '11'.repeat(20) }), 'transfer is not to the treasury'],
    ['of another amount', (t: TokenTransfer) => ({ ...t, value: (BigInt(t.value) - 1n).toString() }), 'not'],
  ])('FAILS a confirmed transfer %s, and the payment holds no transaction', async (_label, alter, reason) => {
    const { wallet, identity } = newUser();
    const real = alter(transfer(wallet, 1000n, 5));
    chain.set(real.txHash, real);
    const response = await h.call(PAY, { amount: '1000', txHash: real.txHash, key: randomUUID() }, identity);
    expect(response.data!.payWithToken.status).toBe('FAILED');
    expect(response.data!.payWithToken.failureReason).toContain(reason);
    expect(await h.prisma.payment.findUnique({ where: { providerReference: real.txHash } })).toBeNull();
  });

  it('refuses a transfer from a wallet that is not the payer’s with TRANSFER_NOT_FROM_PAYER, writing nothing', async () => {
    const owner = newUser();
    const stranger = newUser();
    const real = transfer(owner.wallet, 1000n, 5);
    chain.set(real.txHash, real);
    const response = await h.call(PAY, { amount: '1000', txHash: real.txHash, key: randomUUID() }, stranger.identity);
    expect(errorCodes(response)).toEqual(['TRANSFER_NOT_FROM_PAYER']);
    expect(await h.prisma.payment.count({ where: { userId: stranger.userId } })).toBe(0);
    expect(await h.prisma.idempotencyKey.count({ where: { userId: stranger.userId } })).toBe(0);
    expect((await h.call(PAY, { amount: '1000', txHash: real.txHash, key: randomUUID() }, owner.identity)).data!.payWithToken.status).toBe('SUCCEEDED');
  });

  it('FAILS a claim named before its transfer was on chain when a stranger sent it, holding nothing: the sender then pays with it', async () => {
    const owner = newUser();
    const stranger = newUser();
    const real = transfer(owner.wallet, 1000n, 5);
    const early = await h.call(PAY, { amount: '1000', txHash: real.txHash, key: randomUUID() }, stranger.identity);
    expect(early.data!.payWithToken).toMatchObject({ status: 'PENDING', providerReference: real.txHash });
    chain.set(real.txHash, real);
    expect(await h.subgraph.services.payments.onTokenTransfer(real)).toMatchObject([
      { status: 'FAILED', failureReason: 'transfer is not from a wallet linked to the payer' },
    ]);
    expect((await h.call(PAY, { amount: '1000', txHash: real.txHash, key: randomUUID() }, owner.identity)).data!.payWithToken.status).toBe('SUCCEEDED');
  });

  it('lets one of several claims of the sender, made before the transfer was on chain, hold it; the others FAIL', async () => {
    const owner = newUser();
    const real = transfer(owner.wallet, 1000n, 1);
    const claims = await Promise.all([1, 2, 3].map(() => h.call(PAY, { amount: '1000', txHash: real.txHash, key: randomUUID() }, owner.identity)));
    expect(claims.map((claim) => claim.data!.payWithToken.status)).toEqual(['PENDING', 'PENDING', 'PENDING']);
    chain.set(real.txHash, real);
    await h.subgraph.services.payments.onTokenTransfer(real);
    chain.set(real.txHash, { ...real, confirmations: 5, status: 'CONFIRMED' });
    await h.subgraph.services.payments.onTokenTransfer(real);
    const rows = await h.prisma.payment.findMany({ where: { userId: owner.userId } });
    expect(rows.map((row) => row.status).sort()).toEqual(['FAILED', 'FAILED', 'SUCCEEDED']);
    expect(rows.filter((row) => row.providerReference === real.txHash).map((row) => row.status)).toEqual(['SUCCEEDED']);
    expect(rows.filter((row) => row.status === 'FAILED').map((row) => row.failureReason)).toEqual([
      'transaction already pays another payment',
      'transaction already pays another payment',
    ]);
  });

  it('refuses a transaction that already pays another payment, and bad inputs, writing nothing', async () => {
    const { userId, wallet, identity } = newUser();
    const paid = transfer(wallet, 1000n, 5);
    chain.set(paid.txHash, paid);
    expect((await h.call(PAY, { amount: '1000', txHash: paid.txHash, key: randomUUID() }, identity)).data!.payWithToken.status).toBe('SUCCEEDED');
    const before = await h.prisma.payment.count();
    expect(errorCodes(await h.call(PAY, { amount: '1000', txHash: paid.txHash, key: randomUUID() }, identity))).toEqual(['TRANSFER_ALREADY_USED']);
    expect(errorCodes(await h.call(PAY, { amount: '1000', txHash: paid.txHash, key: randomUUID() }, newUser().identity))).toEqual(['TRANSFER_NOT_FROM_PAYER']);
    expect(errorCodes(await h.call(PAY, { amount: '0', txHash: paid.txHash, key: randomUUID() }, identity))).toEqual(['INVALID_AMOUNT']);
    expect(errorCodes(await h.call(PAY, { amount: '1', txHash: '0x1234', key: randomUUID() }, identity))).toEqual(['INVALID_TX_HASH']);
    expect(await h.prisma.payment.count()).toBe(before);
    // Only the first, successful request holds a key: the refused ones released theirs.
    expect(await h.prisma.idempotencyKey.count({ where: { userId } })).toBe(1);
  });

  it('cannot be refunded through the card API', async () => {
    const { wallet, identity } = newUser();
    const paid = transfer(wallet, 7n, 5);
    chain.set(paid.txHash, paid);
    const payment = (await h.call(PAY, { amount: '7', txHash: paid.txHash, key: randomUUID() }, identity)).data!.payWithToken;
    const refund = await h.call('mutation ($id: ID!) { refundPayment(id: $id, idempotencyKey: "r1") { status } }', { id: payment.id }, identity);
    expect(errorCodes(refund)).toEqual(['REFUND_NOT_SUPPORTED']);
  });
});

describe('staking', () => {
  it('credits a stake only when its transfer is confirmed, maps it to a tier and a fee discount, and unstakes', async () => {
    const { userId, wallet, identity } = newUser();
    const funding = transfer(wallet, forge(10_000), 1);
    chain.set(funding.txHash, funding);
    const staked = await h.call(STAKE, { amount: forge(10_000).toString(), txHash: funding.txHash, key: randomUUID() }, identity);
    expect(staked.data!.stake).toMatchObject({ status: 'PENDING', purpose: 'stake' });
    const me = `query ($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { feeDiscount stakedForge } } }`;
    expect((await h.call(me, { id: userId }, identity)).data!._entities[0]).toEqual({ feeDiscount: 0, stakedForge: '0' });

    chain.set(funding.txHash, { ...funding, confirmations: 3, status: 'CONFIRMED' });
    await h.subgraph.services.payments.onTokenTransfer(funding);
    expect((await h.call(me, { id: userId }, identity)).data!._entities[0]).toEqual({ feeDiscount: 25, stakedForge: forge(10_000).toString() });
    await eventually(
      async () => tiers.filter((change) => change.userId === userId),
      (list) => list.length > 0,
    );
    expect(tiers.filter((change) => change.userId === userId).at(-1)!.tier).toBe('ENTERPRISE');
    // The same transfer event again changes nothing.
    chain.set(funding.txHash, { ...funding, confirmations: 9, status: 'CONFIRMED' });
    await h.subgraph.services.payments.onTokenTransfer(funding);
    expect(await h.prisma.stakeEntry.count({ where: { userId } })).toBe(1);

    const down = await h.call(UNSTAKE, { amount: forge(9_500).toString(), key: randomUUID() }, identity);
    expect(down.data!.unstake).toEqual({ staked: forge(500).toString(), tier: 'FREE', feeDiscount: 0 });
    expect(tiers.filter((change) => change.userId === userId).at(-1)!.tier).toBe('FREE');
    expect(await h.prisma.outboxEvent.count({ where: { channel: 'payments.unstakeRequested' } })).toBeGreaterThan(0);
  });

  it('retries the tier update until the users subgraph takes it', async () => {
    const { userId, wallet, identity } = newUser();
    const funding = transfer(wallet, forge(1_000), 5);
    chain.set(funding.txHash, funding);
    usersDown.value = true;
    try {
      const staked = await h.call(STAKE, { amount: forge(1_000).toString(), txHash: funding.txHash, key: randomUUID() }, identity);
      expect(staked.data!.stake.status).toBe('SUCCEEDED');
    } finally {
      usersDown.value = false;
    }
    expect(tiers.filter((change) => change.userId === userId)).toHaveLength(0);
    expect((await h.prisma.paymentAccount.findUniqueOrThrow({ where: { userId } })).tierSyncPending).toBe(true);
    expect(await h.subgraph.services.staking.syncPendingTiers()).toBeGreaterThanOrEqual(1);
    expect(tiers.filter((change) => change.userId === userId).map((change) => change.tier)).toEqual(['PRO']);
    expect((await h.prisma.paymentAccount.findUniqueOrThrow({ where: { userId } })).tierSyncPending).toBe(false);
  });

  it('never unstakes more than staked, even under concurrent unstakes', async () => {
    const { userId, wallet, identity } = newUser();
    const funding = transfer(wallet, forge(1_000), 5);
    chain.set(funding.txHash, funding);
    await h.call(STAKE, { amount: forge(1_000).toString(), txHash: funding.txHash, key: randomUUID() }, identity);
    const attempts = await Promise.all(Array.from({ length: 10 }, () => h.call(UNSTAKE, { amount: forge(300).toString(), key: randomUUID() }, identity)));
    const ok = attempts.filter((attempt) => !attempt.errors);
    expect(ok).toHaveLength(3);
    for (const attempt of attempts.filter((a) => a.errors)) expect(errorCodes(attempt)).toEqual(['INSUFFICIENT_STAKE']);
    const account = await h.prisma.paymentAccount.findUniqueOrThrow({ where: { userId } });
    expect(account.staked.toFixed(0)).toBe(forge(100).toString());
    const ledger = await h.prisma.stakeEntry.aggregate({ where: { userId }, _sum: { amount: true } });
    expect(ledger._sum.amount!.toFixed(0)).toBe(forge(100).toString());
  });

  it('batches User.payments and User.feeDiscount: one query each for many users', async () => {
    const ids = Array.from({ length: 20 }, () => randomUUID());
    const query = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id feeDiscount payments { id } } } }`;
    const before = h.subgraph.database.sqlStatements();
    const response = await h.call(query, { reps: ids.map((id) => ({ __typename: 'User', id })) }, { kind: 'service' });
    expect(response.errors).toBeUndefined();
    expect(response.data!._entities).toHaveLength(20);
    expect(h.subgraph.database.sqlStatements() - before).toBeLessThanOrEqual(2);
  });
});

describe('unstake payouts', () => {
  const UNSTAKE_ENTRY = `mutation ($amount: String!, $key: String!) {
    unstake(amount: $amount, idempotencyKey: $key) { staked entry { id amount payoutStatus payoutAddress payoutTxHash paidAt } }
  }`;
  const HISTORY = 'query { stakingHistory { id amount payoutStatus payoutAddress payoutTxHash } }';

  async function stakedUser(amount: bigint) {
    const user = newUser();
    const funding = transfer(user.wallet, amount, 5);
    chain.set(funding.txHash, funding);
    const staked = await h.call(STAKE, { amount: amount.toString(), txHash: funding.txHash, key: randomUUID() }, user.identity);
    expect(staked.data!.stake.status).toBe('SUCCEEDED');
    return user;
  }

  it('refuses an unstake without a linked wallet with NO_LINKED_WALLET, writing nothing', async () => {
    const { userId, identity } = await stakedUser(1_000n);
    wallets.set(userId, []);
    const before = { entries: await h.prisma.stakeEntry.count({ where: { userId } }), outbox: await h.prisma.outboxEvent.count() };
    const refused = await h.call(UNSTAKE, { amount: '400', key: randomUUID() }, identity);
    expect(errorCodes(refused)).toEqual(['NO_LINKED_WALLET']);
    expect(await h.prisma.stakeEntry.count({ where: { userId } })).toBe(before.entries);
    expect(await h.prisma.outboxEvent.count()).toBe(before.outbox);
    expect((await h.prisma.paymentAccount.findUniqueOrThrow({ where: { userId } })).staked.toFixed(0)).toBe('1000');
    expect(await h.prisma.idempotencyKey.count({ where: { userId, operation: 'unstake' } })).toBe(0);
    // More than staked still says so first.
    expect(errorCodes(await h.call(UNSTAKE, { amount: '5000', key: randomUUID() }, identity))).toEqual(['INSUFFICIENT_STAKE']);
  });

  it('pays the wallet chosen at unstake time: PENDING_PAYOUT until the blockchain subgraph confirms the payout, then PAID', async () => {
    const { userId, wallet, identity } = await stakedUser(forge(50));
    const key = randomUUID();
    const unstaked = await h.call(UNSTAKE_ENTRY, { amount: forge(20).toString(), key }, identity);
    expect(unstaked.errors).toBeUndefined();
    const entry = unstaked.data!.unstake.entry;
    expect(entry).toEqual({
      id: expect.any(String),
      amount: (-forge(20)).toString(),
      payoutStatus: 'PENDING_PAYOUT',
      payoutAddress: wallet,
      payoutTxHash: null,
      paidAt: null,
    });

    // The request names the destination, so linking another wallet now changes nothing.
    wallets.set(userId, ['0x' + randomBytes(20).toString('hex'), wallet]);
    const requested = await h.prisma.outboxEvent.findMany({ where: { channel: 'payments.unstakeRequested' } });
    expect(requested.map((row) => row.payload)).toContainEqual({ userId, amount: forge(20).toString(), entryId: entry.id, to: wallet });

    const txHash = '0x' + randomBytes(32).toString('hex');
    const report = { entryId: entry.id, txHash, to: wallet, amount: forge(20).toString(), blockNumber: 42 };
    // A report the blockchain subgraph does not confirm when asked (forged on Redis) changes nothing.
    expect(await h.subgraph.services.staking.checkPayout(entry.id)).toBe(false);
    expect((await h.prisma.stakeEntry.findUniqueOrThrow({ where: { id: BigInt(entry.id) } })).payoutStatus).toBe('PENDING_PAYOUT');
    const bus = new RedisEventBus(REDIS_URL, EVENT_CHANNEL_PREFIX);
    try {
      payoutAnswers.set(entry.id, { status: 'CONFIRMED', txHash });
      await bus.publish('blockchain.payoutConfirmed', { id: '2', channel: 'blockchain.payoutConfirmed', createdAt: new Date().toISOString(), payload: report });
      await eventually(
        () => h.prisma.stakeEntry.findUniqueOrThrow({ where: { id: BigInt(entry.id) } }),
        (row) => row.payoutStatus === 'PAID',
      );
    } finally {
      await bus.close();
    }
    const history = await h.call(HISTORY, {}, identity);
    expect(history.data!.stakingHistory[0]).toEqual({
      id: entry.id,
      amount: (-forge(20)).toString(),
      payoutStatus: 'PAID',
      payoutAddress: wallet,
      payoutTxHash: txHash,
    });
    expect(history.data!.stakingHistory[1]).toMatchObject({ amount: forge(50).toString(), payoutStatus: null });
    // Replaying the unstake returns the same entry, as it stands now.
    const replay = await h.call(UNSTAKE_ENTRY, { amount: forge(20).toString(), key }, identity);
    expect(replay.data!.unstake.entry).toMatchObject({ id: entry.id, payoutStatus: 'PAID', payoutTxHash: txHash, paidAt: expect.any(String) });
  });

  it('asks the blockchain subgraph again for every unpaid unstake until it reports the payout confirmed', async () => {
    const { wallet, identity } = await stakedUser(900n);
    const unstaked = await h.call(UNSTAKE_ENTRY, { amount: '300', key: randomUUID() }, identity);
    const entryId: string = unstaked.data!.unstake.entry.id;
    const asked = () => payoutRequests.filter((request) => request.entryId === entryId);
    // The unstake asked at once, when it committed (still PENDING at the blockchain subgraph).
    await eventually(
      async () => asked().length,
      (count) => count === 1,
    );

    payoutAnswers.set(entryId, null); // down
    await h.subgraph.services.staking.reconcilePayouts();
    payoutAnswers.set(entryId, { status: 'SENT', txHash: '0x' + 'aa'.repeat(32) });
    await h.subgraph.services.staking.reconcilePayouts();
    expect((await h.prisma.stakeEntry.findUniqueOrThrow({ where: { id: BigInt(entryId) } })).payoutStatus).toBe('PENDING_PAYOUT');

    payoutAnswers.set(entryId, { status: 'CONFIRMED', txHash: '0x' + 'aa'.repeat(32) });
    await h.subgraph.services.staking.reconcilePayouts();
    expect(await h.prisma.stakeEntry.findUniqueOrThrow({ where: { id: BigInt(entryId) } })).toMatchObject({
      payoutStatus: 'PAID',
      payoutTxHash: '0x' + 'aa'.repeat(32),
    });
    expect(asked()).toEqual(Array(4).fill({ entryId, to: wallet, amount: '300' }));
    // Paid: not asked again.
    await h.subgraph.services.staking.reconcilePayouts();
    expect(asked()).toHaveLength(4);
  });

  it('stakes the amount again when its payout reverts on chain, once, so the user can unstake again', async () => {
    const { userId, identity } = await stakedUser(900n);
    const unstaked = await h.call(UNSTAKE_ENTRY, { amount: '300', key: randomUUID() }, identity);
    const entryId: string = unstaked.data!.unstake.entry.id;
    const staked = async () => (await h.prisma.paymentAccount.findUniqueOrThrow({ where: { userId } })).staked.toFixed(0);
    expect(await staked()).toBe('600');
    const asked = () => payoutRequests.filter((request) => request.entryId === entryId);
    await eventually(
      async () => asked().length,
      (count) => count === 1,
    ); // asked when the unstake committed

    const reverted = '0x' + 'ee'.repeat(32);
    payoutAnswers.set(entryId, { status: 'FAILED', txHash: reverted });
    await h.subgraph.services.staking.reconcilePayouts();
    await h.subgraph.services.staking.reconcilePayouts();

    expect(await h.prisma.stakeEntry.findUniqueOrThrow({ where: { id: BigInt(entryId) } })).toMatchObject({ payoutStatus: 'RETURNED', payoutTxHash: reverted });
    expect(await staked()).toBe('900');
    // The ledger still sums to the stake: the unstake and the one entry that returned it.
    const ledger = await h.prisma.stakeEntry.findMany({ where: { userId }, orderBy: { id: 'asc' } });
    expect(ledger.map((entry) => entry.amount.toFixed(0))).toEqual(['900', '-300', '300']);
    expect(asked()).toHaveLength(2);

    const again = await h.call(UNSTAKE_ENTRY, { amount: '900', key: randomUUID() }, identity);
    expect(again.errors).toBeUndefined();
    expect(await staked()).toBe('0');
  });

  it('lists only your own ledger, and checks the page size', async () => {
    const { identity } = await stakedUser(10n);
    const history = await h.call(HISTORY, {}, identity);
    expect(history.data!.stakingHistory).toHaveLength(1);
    expect(errorCodes(await h.call('query { stakingHistory(first: 0) { id } }', {}, identity))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await h.call(HISTORY, {}, { kind: 'anonymous' }))).toEqual(['UNAUTHENTICATED']);
  });
});
