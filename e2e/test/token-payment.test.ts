import { randomUUID } from 'node:crypto';
import { createWalletClient, erc20Abi, http, parseEther, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import { createTestDatabase, graphql, asRouter, quietLogger, testConfig, type TestDatabase } from '@supergraph/testing';
import { startBlockchainSubgraph, type BlockchainSubgraph } from '@supergraph/blockchain/src/app';
import { startTestChain, type TestChain } from '@supergraph/blockchain/test/chain';
import { startPaymentsHarness, userIdentity, type PaymentsHarness } from '@supergraph/payments/test/harness';

/**
 * A $FORGE payment settled by a real on-chain transfer: the user signs an ERC-20 transfer to the
 * treasury on a real EVM, the blockchain subgraph follows the chain and publishes the transfer
 * over Redis, and payments marks the payment SUCCEEDED only once it has the confirmations.
 */
jest.setTimeout(120_000);

let chain: TestChain;
let payments: PaymentsHarness;
let blockchain: BlockchainSubgraph;
let blockchainDb: TestDatabase;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  chain = await startTestChain();
  payments = await startPaymentsHarness({ env: chain.env });
  blockchainDb = await createTestDatabase('e2e_blockchain');
  const { config, cleanup } = testConfig({ ...chain.env, BLOCKCHAIN_DATABASE_URL: blockchainDb.url, REDIS_URL: payments.config.redisUrl! });
  cleanups.push(cleanup);
  blockchain = await startBlockchainSubgraph(config, quietLogger('blockchain'));
});
afterAll(async () => {
  await blockchain?.stop();
  await blockchainDb?.drop();
  await payments?.stop();
  await chain?.stop();
  for (const cleanup of cleanups) cleanup();
});

test('payWithToken stays PENDING until the real transfer to the treasury is confirmed, then SUCCEEDS', async () => {
  const { userId } = await payments.register();
  const payer = privateKeyToAccount(generatePrivateKey());

  // The payer's wallet is linked to their account with Sign-In with Ethereum.
  const nonce = (await payments.callUsers<{ siweNonce: { nonce: string; domain: string } }>('mutation { siweNonce { nonce domain } }')).data!.siweNonce;
  const message = createSiweMessage({ domain: nonce.domain, address: payer.address, uri: `http://${nonce.domain}`, version: '1', chainId: 31337, nonce: nonce.nonce });
  const linked = await payments.callUsers('mutation ($message: String!, $signature: String!) { linkWallet(message: $message, signature: $signature) { id } }', { message, signature: await payer.signMessage({ message }) }, userIdentity(userId));
  expect(linked.errors).toBeUndefined();

  // Gas from the node's development account, $FORGE from the treasury (an admin's payout).
  await chain.rpc('eth_sendTransaction', [{ from: await chain.devAccount(), to: payer.address, value: `0x${parseEther('1').toString(16)}` }]);
  const amount = 25n * 10n ** 18n;
  const payout = await graphql(`${blockchain.url}/graphql`, 'mutation ($to: String!, $amount: String!) { sendTokenTransfer(to: $to, amount: $amount) { hash } }', { to: payer.address, amount: amount.toString() }, asRouter(userIdentity(userId, ['USER', 'ADMIN']), payments.config.routerSigningSecret));
  expect(payout.errors).toBeUndefined();
  await chain.mine(3);

  // The user pays the treasury on chain, then tells payments which transaction it was.
  const wallet = createWalletClient({ account: payer, transport: http(chain.chain.httpUrl) });
  const txHash: Hex = await wallet.writeContract({ chain: null, address: chain.deployment.forgeToken, abi: erc20Abi, functionName: 'transfer', args: [chain.deployment.treasury, amount] });
  const paid = await payments.call<{ payWithToken: { id: string; status: string } }>(
    'mutation ($amount: String!, $txHash: String!, $key: String!) { payWithToken(amount: $amount, txHash: $txHash, idempotencyKey: $key) { id status } }',
    { amount: amount.toString(), txHash, key: randomUUID() },
    userIdentity(userId),
  );
  expect(paid.errors).toBeUndefined();
  expect(paid.data!.payWithToken.status).toBe('PENDING');

  // Confirmations come with new blocks; the chain follower reports them over Redis.
  const deadline = Date.now() + 60_000;
  let status = 'PENDING';
  while (status === 'PENDING' && Date.now() < deadline) {
    await chain.mine(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    status = (await payments.prisma.payment.findUniqueOrThrow({ where: { id: paid.data!.payWithToken.id } })).status;
  }
  expect(status).toBe('SUCCEEDED');
});
