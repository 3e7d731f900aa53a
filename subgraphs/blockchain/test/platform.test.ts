import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { parseUnits } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import { bearer, graphql, type UntypedData } from '@supergraph/testing';
import { eventually, startTestChain, type TestChain } from './chain';
import { startBlockchainHarness, type BlockchainHarness } from './harness';
import { startPlatform, type TestPlatform } from './platform';

/**
 * The "done when": through the real router, a user signed in with Ethereum sees their
 * wallets with ETH and $FORGE balances and the transfer the treasury sent them, end to end on a
 * real local EVM. The supergraph is composed here from users + blockchain only, so the test does
 * not depend on subgraphs it does not start.
 */
let chain: TestChain;
let blockchain: BlockchainHarness;
let platform: TestPlatform;
let graphqlUrl: string;

beforeAll(async () => {
  chain = await startTestChain();
  blockchain = await startBlockchainHarness(chain);
  platform = await startPlatform(blockchain, { ADMIN_EMAILS: 'root@example.com' });
  graphqlUrl = platform.graphqlUrl;
}, 90_000);

afterAll(async () => {
  await platform?.stop();
  await blockchain?.stop();
  await chain?.stop();
});

async function call(query: string, variables: Record<string, unknown> = {}, token?: string) {
  const response = await graphql<UntypedData>(graphqlUrl, query, variables, token ? bearer(token) : {});
  expect(response.errors).toBeUndefined();
  return response.data!;
}

it('returns a user with their wallets, $FORGE balances and recent transfers through the router', async () => {
  const admin = await call(`mutation { register(email: "root@example.com", password: "correct horse battery") { token } }`);
  const adminToken = admin.register.token as string;

  const account = privateKeyToAccount(generatePrivateKey());
  const { siweNonce } = await call('mutation { siweNonce { nonce domain } }');
  const message = createSiweMessage({
    domain: siweNonce.domain,
    address: account.address,
    statement: 'Sign in to the supergraph',
    uri: `http://${siweNonce.domain}`,
    version: '1',
    chainId: chain.chain.chainId,
    nonce: siweNonce.nonce,
  });
  const signedIn = await call(`mutation ($message: String!, $signature: String!) { signInWithEthereum(message: $message, signature: $signature) { token } }`, {
    message,
    signature: await account.signMessage({ message }),
  });
  const userToken = signedIn.signInWithEthereum.token as string;
  const address = account.address.toLowerCase();

  const amount = parseUnits('42', 18);
  const sent = await call(
    `mutation ($to: String!, $amount: String!) { sendTokenTransfer(to: $to, amount: $amount) { hash } }`,
    { to: address, amount: amount.toString() },
    adminToken,
  );
  const hash = sent.sendTokenTransfer.hash as string;
  await chain.mine(1);
  await eventually(() => blockchain.transfers.find((event) => event.txHash === hash && event.status === 'CONFIRMED'), 15_000, 'the confirmed transfer');

  const { me } = await call(
    `{ me { walletAddresses wallets { address ethBalance forgeBalance recentTransfers { hash value status confirmations transaction { status from } } } } }`,
    {},
    userToken,
  );
  expect(me).toEqual({
    walletAddresses: [address],
    wallets: [
      {
        address,
        ethBalance: '0',
        forgeBalance: amount.toString(),
        recentTransfers: [
          {
            hash,
            value: amount.toString(),
            status: 'CONFIRMED',
            confirmations: 2,
            transaction: { status: 'SUCCESS', from: chain.deployment.operator.toLowerCase() },
          },
        ],
      },
    ],
  });

  // Only admins pay out of the treasury, through the router too.
  const refused = await graphql(graphqlUrl, `mutation { sendTokenTransfer(to: "${address}", amount: "1") { hash } }`, {}, bearer(userToken));
  expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
});

it("streams new blocks and an address's $FORGE transfers through the router over graphql-ws", async () => {
  const admin = await call(`mutation { login(email: "root@example.com", password: "correct horse battery") { token } }`);
  const client: Client = createClient({
    url: graphqlUrl.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: bearer(admin.login.token),
    retryAttempts: 0,
  });
  const blocks: UntypedData[] = [];
  const transfers: UntypedData[] = [];
  const address = privateKeyToAccount(generatePrivateKey()).address.toLowerCase();
  const stopBlocks = client.subscribe(
    { query: 'subscription { newBlock { number hash transactionCount } }' },
    { next: (result) => void blocks.push(result), error: () => undefined, complete: () => undefined },
  );
  const stopTransfers = client.subscribe(
    {
      query: 'subscription ($address: String) { tokenTransfer(address: $address) { hash to value status confirmations transaction { status } } }',
      variables: { address },
    },
    { next: (result) => void transfers.push(result), error: () => undefined, complete: () => undefined },
  );
  try {
    await new Promise((resolve) => setTimeout(resolve, 500)); // subscriptions start asynchronously upstream
    await call(`mutation { sendTokenTransfer(to: "${address}", amount: "12345") { hash } }`, {}, admin.login.token);
    await eventually(() => (transfers.length >= 1 ? true : undefined), 15_000, 'PENDING through the router');
    await chain.mine(1);
    await eventually(() => (transfers.length >= 2 ? true : undefined), 15_000, 'PENDING and CONFIRMED through the router');
    expect(transfers.map((result) => result.data.tokenTransfer)).toEqual([
      { hash: expect.stringMatching(/^0x[0-9a-f]{64}$/), to: address, value: '12345', status: 'PENDING', confirmations: 1, transaction: { status: 'SUCCESS' } },
      expect.objectContaining({ to: address, value: '12345', status: 'CONFIRMED', confirmations: 2 }),
    ]);
    await eventually(() => (blocks.length >= 2 ? true : undefined), 15_000, 'new blocks');
    const [first, second] = blocks.map((result) => result.data.newBlock);
    expect(second.number).toBe(first.number + 1);
    expect(first).toEqual({ number: expect.any(Number), hash: expect.stringMatching(/^0x[0-9a-f]{64}$/), transactionCount: 1 });
  } finally {
    stopBlocks();
    stopTransfers();
    await client.dispose();
  }
});

it('refuses chain subscriptions to anonymous callers before any subgraph is called', async () => {
  const anonymous: Client = createClient({ url: graphqlUrl.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
  try {
    for (const query of ['subscription { newBlock { number } }', 'subscription { tokenTransfer { hash } }']) {
      const refusal = await new Promise<unknown>((resolve) => {
        anonymous.subscribe({ query }, { next: resolve, error: resolve, complete: () => resolve('completed without a result') });
      });
      const errors = Array.isArray(refusal) ? refusal : (refusal as { errors?: unknown[] }).errors;
      expect(errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })]);
    }
  } finally {
    await anonymous.dispose();
  }
});
