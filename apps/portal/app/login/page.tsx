import Link from 'next/link';
import { ActionForm } from '../../src/action-form';
import { CredentialFields } from '../../src/credential-fields';
import { SiweSignIn } from '../../src/siwe-sign-in';
import { signIn } from '../actions';

export default function SignInPage() {
  return (
    <section className="narrow">
      <h1>Sign in</h1>
      <ActionForm action={signIn} submitLabel="Sign in" pendingLabel="Signing in…">
        <CredentialFields />
      </ActionForm>
      <SiweSignIn />
      <p>
        New here? <Link href="/register">Create an account</Link>.
      </p>
    </section>
  );
}
