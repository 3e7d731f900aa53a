import Link from 'next/link';
import { ActionForm } from '../../src/action-form';
import { CredentialFields } from '../../src/credential-fields';
import { register } from '../actions';

export default function RegisterPage() {
  return (
    <section className="narrow">
      <h1>Create an account</h1>
      <ActionForm action={register} submitLabel="Create account" pendingLabel="Creating your account…">
        <label>
          Name (optional)
          <input name="displayName" autoComplete="name" />
        </label>
        <CredentialFields newPassword />
      </ActionForm>
      <p>
        Already registered? <Link href="/login">Sign in</Link>.
      </p>
    </section>
  );
}
