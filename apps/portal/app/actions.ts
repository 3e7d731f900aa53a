'use server';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { LoginDocument, PortalCreateProjectDocument, RegisterDocument } from '../../../clients/generated/graphql';
import { messagesFor } from '../src/error-messages';
import { execute } from '../src/router';
import { endSession, requireSession, startSession } from '../src/session';

/** What a form shows after its action ran: the messages of what went wrong, if anything did. */
export interface FormState {
  errors: string[];
}

const field = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};

export async function signIn(_previous: FormState, form: FormData): Promise<FormState> {
  const result = await execute(LoginDocument, { email: field(form, 'email'), password: field(form, 'password') });
  if (!result.data?.login) return { errors: messagesFor(result.errors) };
  await startSession(result.data.login.token, result.data.login.expiresAt);
  redirect('/dashboard');
}

/** Registration signs the new user in at once: `register` answers with a token as `login` does. */
export async function register(_previous: FormState, form: FormData): Promise<FormState> {
  const displayName = field(form, 'displayName').trim();
  const result = await execute(RegisterDocument, { email: field(form, 'email'), password: field(form, 'password'), displayName: displayName || null });
  if (!result.data?.register) return { errors: messagesFor(result.errors) };
  await startSession(result.data.register.token, result.data.register.expiresAt);
  redirect('/dashboard');
}

export async function signOut(): Promise<void> {
  await endSession();
  redirect('/login');
}

export async function createProject(_previous: FormState, form: FormData): Promise<FormState> {
  const token = await requireSession();
  const visibility = field(form, 'visibility') === 'PUBLIC' ? 'PUBLIC' : 'PRIVATE';
  const description = field(form, 'description').trim();
  const result = await execute(PortalCreateProjectDocument, { name: field(form, 'name').trim(), description: description || null, visibility }, token);
  if (!result.data?.createProject) return { errors: messagesFor(result.errors) };
  revalidatePath('/projects');
  return { errors: [] };
}
