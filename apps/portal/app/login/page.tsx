import Link from 'next/link';
import { ActionForm } from '../../src/action-form';
import { CredentialFields } from '../../src/credential-fields';
import { signIn } from '../actions';

export default function SignInPage() {
  return (
    <section className="narrow">
      <h1>Sign in</h1>
      <ActionForm action={signIn} submitLabel="Sign in" pendingLabel="Signing in…">
        <CredentialFields />
      </ActionForm>
      <p>
        New here? <Link href="/register">Create an account</Link>.
      </p>
    </section>
  );
}
