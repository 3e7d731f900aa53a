import { createWalletClient, erc20Abi, http, parseEther, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import { asRouter, graphql, type GraphQLResponse, type UntypedData } from '@supergraph/testing';
import { ADMIN } from '@supergraph/blockchain/test/harness';
import type { TestChain } from '@supergraph/blockchain/test/chain';
import type { ChainStack } from './chain-stack';

/** Runs a users-subgraph operation as one account: directly with a signed identity, or through the router with its token. */
export type CallAsUser = (query: string, variables?: Record<string, unknown>) => Promise<GraphQLResponse<UntypedData>>;

/** A fresh wallet, linked to the account `callAsUser` acts for with Sign-In with Ethereum. */
export async function linkFreshWallet(callAsUser: CallAsUser): Promise<PrivateKeyAccount> {
  const wallet = privateKeyToAccount(generatePrivateKey());
  const nonce = (await callAsUser('mutation { siweNonce { nonce domain } }')).data!.siweNonce as { nonce: string; domain: string };
  const message = createSiweMessage({
    domain: nonce.domain,
    address: wallet.address,
    uri: `http://${nonce.domain}`,
    version: '1',
    chainId: 31337,
    nonce: nonce.nonce,
  });
  const linked = await callAsUser('mutation ($message: String!, $signature: String!) { linkWallet(message: $message, signature: $signature) { id } }', {
    message,
    signature: await wallet.signMessage({ message }),
  });
  expect(linked.errors).toBeUndefined();
  return wallet;
}

/** Gives `address` 1 ETH for gas (the node's development account) and `forge` $FORGE from the treasury (an admin's payout through the blockchain subgraph). */
export async function fundWallet(stack: ChainStack, address: Address, forge: bigint): Promise<void> {
  const { chain, blockchain, config } = stack;
  await chain.rpc('eth_sendTransaction', [{ from: await chain.devAccount(), to: address, value: `0x${parseEther('1').toString(16)}` }]);
  const funded = await graphql(
    `${blockchain.url}/graphql`,
    'mutation ($to: String!, $amount: String!) { sendTokenTransfer(to: $to, amount: $amount) { hash } }',
    { to: address, amount: forge.toString() },
    asRouter(ADMIN, config.routerSigningSecret),
  );
  expect(funded.errors).toBeUndefined();
}

/** The wallet's own ERC-20 transfer of `amount` $FORGE on chain, to the treasury unless `to` says otherwise; returns its hash. */
export function transferForge(chain: TestChain, wallet: PrivateKeyAccount, amount: bigint, to: Address = chain.deployment.treasury): Promise<Hex> {
  const client = createWalletClient({ account: wallet, transport: http(chain.chain.httpUrl) });
  return client.writeContract({ chain: null, address: chain.deployment.forgeToken, abi: erc20Abi, functionName: 'transfer', args: [to, amount] });
}
