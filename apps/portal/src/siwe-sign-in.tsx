'use client';
import { useState, useSyncExternalStore, useTransition } from 'react';
import { signInWithEthereum, siweNonce } from '../app/actions';
import { ErrorList } from './error-list';
import { walletMessageFor, wrongSiweDomainMessage } from './error-messages';
import { connectWallet, injectedWallet, signInMessage, signWithWallet, type Eip1193Provider } from './siwe-wallet';

// The injected wallet is read at each render; wallets announce no change the page could follow.
const unchanging = () => () => {};
// The server cannot know about the browser's wallet: it renders nothing, and the browser adds the button.
const onServer = () => undefined;

/** "Sign in with Ethereum", shown only in a browser with an injected wallet (EIP-1193). */
export function SiweSignIn() {
  const wallet = useSyncExternalStore(unchanging, injectedWallet, onServer);
  const [errors, setErrors] = useState<string[]>([]);
  const [pending, startTransition] = useTransition();
  if (!wallet) return null;

  const start = () =>
    startTransition(async () => {
      setErrors(await signInWith(wallet));
    });
  return (
    <section className="form" aria-label="Sign in with Ethereum">
      <p className="muted">Or use the Ethereum wallet in your browser: it asks you to sign a message, which costs nothing.</p>
      <ErrorList messages={errors} />
      <button type="button" onClick={start} disabled={pending}>
        {pending ? 'Waiting for your wallet…' : 'Sign in with Ethereum'}
      </button>
    </section>
  );
}

/**
 * The whole sign-in: a nonce from the platform, the wallet's account, the holder's signature of the
 * EIP-4361 message, then the server action that checks it with the router and keeps the session.
 * Answers what went wrong; on success the server action sends the page to the dashboard.
 */
async function signInWith(wallet: Eip1193Provider): Promise<string[]> {
  const { errors, issued } = await siweNonce();
  if (!issued) return errors;
  // The platform would refuse a message naming another host: say so before the wallet asks its holder anything.
  if (issued.domain !== window.location.host) return [wrongSiweDomainMessage(issued.domain)];
  let message: string;
  let signature: string;
  try {
    const account = await connectWallet(wallet);
    message = signInMessage(issued, account, window.location.origin);
    signature = await signWithWallet(wallet, account.address, message);
  } catch (error) {
    return [walletMessageFor(error)];
  }
  // A redirect (the success) may resolve the action with nothing.
  const result: { errors: string[] } | undefined = await signInWithEthereum(message, signature);
  return result?.errors ?? [];
}
