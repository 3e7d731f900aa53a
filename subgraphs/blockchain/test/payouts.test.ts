import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { Address } from 'viem';
import type { OutboxEnvelope } from '@supergraph/outbox';
import { SERVICE } from '@supergraph/identity';
import { errorCodes } from '@supergraph/testing';
import { forgeTokenAbi, TRANSFER_EVENT } from '../src/chain/abis';
import { PAYOUT_CONFIRMED, type PayoutConfirmed } from '../src/events/payout-events';
import type { PayoutFaults, PayoutStep } from '../src/payouts/payout-service';
import { eventually, startTestChain, type TestChain } from './chain';
import { ADMIN, USER, startBlockchainHarness, type BlockchainHarness } from './harness';

/**
 * Unstake payouts against a real EVM and Postgres: the treasury pays each unstake entry exactly
 * once — whatever is repeated, and wherever the subgraph stops — and reports it confirmed.
 */
jest.setTimeout(120_000);

let chain: TestChain;
let harness: BlockchainHarness;
const confirmed: PayoutConfirmed[] = [];
let nextEntryId = 1;

beforeAll(async () => {
  chain = await startTestChain();
  harness = await startBlockchainHarness(chain);
  const feed = harness.events.subscribe<OutboxEnvelope<PayoutConfirmed>>(PAYOUT_CONFIRMED);
  void (async () => {
    for await (const envelope of feed) confirmed.push(envelope.payload);
  })();
}, 60_000);
afterAll(async () => {
  await harness?.stop();
  await chain?.stop();
});

const freshWallet = () => privateKeyToAccount(generatePrivateKey()).address.toLowerCase() as Address;

interface PayoutRequest {
  entryId: string;
  to: Address;
  amount: string;
}

function unstake(to: Address, amount: bigint): PayoutRequest {
  return { entryId: String(nextEntryId++), to, amount: amount.toString() };
}

/** Asks for the payout the way payments does: the signed, service-only requestPayout. */
async function ask(request: PayoutRequest): Promise<void> {
  await harness.call(REQUEST, { ...request }, SERVICE);
}

const forgeBalance = (owner: Address) =>
  chain.clients.public.readContract({ address: chain.deployment.forgeToken, abi: forgeTokenAbi, functionName: 'balanceOf', args: [owner] });

/** Every $FORGE transfer the chain holds from the treasury to `to`: what "paid once" means. */
async function treasuryTransfersTo(to: Address): Promise<bigint[]> {
  const logs = await chain.clients.public.getLogs({
    address: chain.deployment.forgeToken,
    event: TRANSFER_EVENT,
    args: { from: chain.deployment.treasury, to },
    fromBlock: 0n,
  });
  return logs.map((log) => log.args.value!);
}

const payoutRow = (entryId: string) => harness.subgraph.database.prisma.payout.findUnique({ where: { entryId } });

/** Mines a block at a time until the payout is CONFIRMED (confirmations come with new blocks). */
async function untilConfirmed(entryId: string) {
  return eventually(
    async () => {
      const row = await payoutRow(entryId);
      if (row?.status === 'CONFIRMED') return row;
      if (row?.status === 'SENT') await chain.mine(1);
      return undefined;
    },
    30_000,
    `payout ${entryId} confirmed`,
  );
}

/** Faults that stop one payout just before `step` on every try, as a crash there would; `reached` resolves the first time. */
function crashBefore(step: PayoutStep, entryId: string): { payoutFaults: PayoutFaults; reached: Promise<void> } {
  let reach!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const payoutFaults: PayoutFaults = {
    before: (at, payout) => {
      if (at !== step || payout.entryId !== entryId) return;
      reach();
      throw new Error(`simulated crash before ${step}`);
    },
  };
  return { payoutFaults, reached };
}

const REQUEST = `mutation ($entryId: ID!, $to: String!, $amount: String!) {
  requestPayout(entryId: $entryId, to: $to, amount: $amount) { entryId to amount status txHash blockNumber }
}`;

describe('unstake payouts', () => {
  it('pays the wallet exactly the amount once, however often it is asked, and reports it confirmed', async () => {
    const wallet = freshWallet();
    const request = unstake(wallet, 1_234n * 10n ** 15n);
    const before = await forgeBalance(wallet);
    const treasuryBefore = await forgeBalance(chain.deployment.treasury);

    await Promise.all([ask(request), ask(request)]);
    const row = await untilConfirmed(request.entryId);
    // And once more after it was paid.
    await ask(request);
    await harness.subgraph.payouts.drain();

    expect(await forgeBalance(wallet)).toBe(before + BigInt(request.amount));
    expect(await forgeBalance(chain.deployment.treasury)).toBe(treasuryBefore - BigInt(request.amount));
    expect(await treasuryTransfersTo(wallet)).toEqual([BigInt(request.amount)]);
    expect(row).toMatchObject({ toAddress: wallet, amount: request.amount, status: 'CONFIRMED' });

    const report = await eventually(() => confirmed.find((event) => event.entryId === request.entryId), 15_000, 'payoutConfirmed');
    expect(report).toEqual({ entryId: request.entryId, txHash: row.txHash, to: wallet, amount: request.amount, blockNumber: Number(row.blockNumber) });
    const metrics = await (await fetch(`${harness.subgraph.url}/metrics`)).text();
    expect(metrics).toMatch(/blockchain_payouts_total\{outcome="confirmed",service="blockchain"\} [1-9]/);
  });

  it.each<PayoutStep>(['sign', 'broadcast', 'confirm'])('stopped just before the %s step, a restarted subgraph still pays exactly once', async (step) => {
    const wallet = freshWallet();
    const request = unstake(wallet, 77n);
    const { payoutFaults, reached } = crashBefore(step, request.entryId);
    await harness.restart(undefined, { payoutFaults });
    await ask(request);
    await reached;
    await harness.restart();

    const row = await untilConfirmed(request.entryId);
    expect(await treasuryTransfersTo(wallet)).toEqual([77n]);
    expect(await forgeBalance(wallet)).toBe(77n);
    expect(row.txHash).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('signs anew only when the recorded transaction can never be mined: its nonce went to another transaction', async () => {
    const wallet = freshWallet();
    const request = unstake(wallet, 500n);
    const { payoutFaults, reached: signedNotSent } = crashBefore('broadcast', request.entryId);
    await harness.restart(undefined, { payoutFaults });
    await ask(request);
    await signedNotSent;
    const first = (await payoutRow(request.entryId))!;
    // The operator's next transaction takes the nonce the unsent payout was signed with.
    const other = await harness.call('mutation ($to: String!) { sendTokenTransfer(to: $to, amount: "1") { hash nonce } }', { to: freshWallet() }, ADMIN);
    expect(other.data!.sendTokenTransfer.nonce).toBe(first.nonce);
    await chain.mine(2);
    await harness.restart();

    const row = await untilConfirmed(request.entryId);
    expect(row.txHash).not.toBe(first.txHash);
    expect(await treasuryTransfersTo(wallet)).toEqual([500n]);
  });

  it('takes requests from services only, checks them, and refuses an entry id asked for with other terms', async () => {
    const wallet = freshWallet();
    const variables = { entryId: String(nextEntryId++), to: wallet, amount: '9' };
    expect(errorCodes(await harness.call(REQUEST, variables, USER))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await harness.call(REQUEST, { ...variables, to: '0x1234' }, SERVICE))).toEqual(['INVALID_ADDRESS']);
    expect(errorCodes(await harness.call(REQUEST, { ...variables, amount: '0' }, SERVICE))).toEqual(['INVALID_AMOUNT']);
    expect(errorCodes(await harness.call(REQUEST, { ...variables, entryId: 'x' }, SERVICE))).toEqual(['BAD_USER_INPUT']);
    expect(await payoutRow(variables.entryId)).toBeNull();

    const first = await harness.call(REQUEST, variables, SERVICE);
    expect(first.data!.requestPayout).toMatchObject({ entryId: variables.entryId, to: wallet, amount: '9' });
    expect(errorCodes(await harness.call(REQUEST, { ...variables, amount: '10' }, SERVICE))).toEqual(['PAYOUT_CONFLICT']);

    await untilConfirmed(variables.entryId);
    const again = await harness.call(REQUEST, variables, SERVICE);
    expect(again.data!.requestPayout).toMatchObject({ status: 'CONFIRMED', txHash: expect.stringMatching(/^0x/) });
    const read = await harness.call('query ($entryId: ID!) { payout(entryId: $entryId) { status txHash } }', { entryId: variables.entryId }, SERVICE);
    expect(read.data!.payout).toEqual({ status: 'CONFIRMED', txHash: again.data!.requestPayout.txHash });
    expect(await treasuryTransfersTo(wallet)).toEqual([9n]);
  });
});
