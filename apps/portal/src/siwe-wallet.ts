import { getAddress, isAddress, isHex, stringToHex, type Address, type Hex } from 'viem';
import { createSiweMessage } from 'viem/siwe';

/** The one method of an EIP-1193 provider (an injected wallet) the portal uses. */
export interface Eip1193Provider {
  request(args: { method: string; params?: readonly unknown[] }): Promise<unknown>;
}

declare global {
  interface Window {
    /** What a browser wallet injects into every page (EIP-1193). */
    ethereum?: Eip1193Provider;
  }
}

/** The wallet the page can use: none on the server, or in a browser without a wallet. */
export function injectedWallet(): Eip1193Provider | undefined {
  return typeof window === 'undefined' ? undefined : window.ethereum;
}

/** Asks the wallet for the account to sign in with (it may ask its holder first) and the chain it is on. */
export async function connectWallet(wallet: Eip1193Provider): Promise<{ address: Address; chainId: number }> {
  const accounts = await wallet.request({ method: 'eth_requestAccounts' });
  const account: unknown = Array.isArray(accounts) ? accounts[0] : undefined;
  if (typeof account !== 'string' || !isAddress(account, { strict: false })) throw new Error('the wallet answered with no account');
  const chainId = await wallet.request({ method: 'eth_chainId' });
  if (typeof chainId !== 'string' || !isHex(chainId)) throw new Error('the wallet answered with no chain id');
  return { address: getAddress(account), chainId: Number.parseInt(chainId, 16) };
}

/** What the platform issued for one sign-in (the `siweNonce` mutation). */
export interface IssuedNonce {
  nonce: string;
  /** The host the message must name: the users subgraph's SIWE_DOMAIN. */
  domain: string;
  expiresAt: string;
}

/**
 * The EIP-4361 message for this page's origin, valid until the nonce expires: the wallet shows it to
 * its holder, and the users subgraph checks every field of it.
 */
export function signInMessage(issued: IssuedNonce, account: { address: Address; chainId: number }, origin: string): string {
  return createSiweMessage({
    domain: issued.domain,
    address: account.address,
    statement: 'Sign in to the Supergraph portal.',
    uri: origin,
    version: '1',
    chainId: account.chainId,
    nonce: issued.nonce,
    issuedAt: new Date(),
    expirationTime: new Date(issued.expiresAt),
  });
}

/** The wallet's signature of `message` as `address` (personal_sign, EIP-191), after its holder agreed. */
export async function signWithWallet(wallet: Eip1193Provider, address: Address, message: string): Promise<Hex> {
  const signature = await wallet.request({ method: 'personal_sign', params: [stringToHex(message), address] });
  if (typeof signature !== 'string' || !isHex(signature)) throw new Error('the wallet answered with no signature');
  return signature;
}
