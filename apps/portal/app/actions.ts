'use server';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import {
  LoginDocument,
  PortalAddFileDocument,
  PortalCreateProjectDocument,
  PortalCutVersionDocument,
  PortalSubmitTaskDocument,
  RegisterDocument,
  SetUserTierDocument,
  SignInWithEthereumDocument,
  SiweNonceDocument,
  type TaskKind,
  type Tier,
} from '../../../clients/generated/graphql';
import { messagesFor } from '../src/error-messages';
import { field } from '../src/form-field';
import { execute, type RouterError } from '../src/router';
import { endSession, requireSession, startSession } from '../src/session';

/** What a form shows after its action ran: the messages of what went wrong, if anything did. */
export interface FormState {
  errors: string[];
}

/** Every way in (password, registration, wallet) ends here: the session cookie holds the router's token, and the user lands on the dashboard. */
async function enter(session: { token: string; expiresAt: string } | undefined, errors: readonly RouterError[] | undefined): Promise<FormState> {
  if (!session) return { errors: messagesFor(errors) };
  await startSession(session.token, session.expiresAt);
  redirect('/dashboard');
}

export async function signIn(_previous: FormState, form: FormData): Promise<FormState> {
  const result = await execute(LoginDocument, { email: field(form, 'email'), password: field(form, 'password') });
  return enter(result.data?.login, result.errors);
}

/** Registration signs the new user in at once: `register` answers with a token as `login` does. */
export async function register(_previous: FormState, form: FormData): Promise<FormState> {
  const displayName = field(form, 'displayName').trim();
  const result = await execute(RegisterDocument, { email: field(form, 'email'), password: field(form, 'password'), displayName: displayName || null });
  return enter(result.data?.register, result.errors);
}

/** Step one of Sign-In with Ethereum: a single-use nonce, and the domain the signed message must name. */
export async function siweNonce(): Promise<FormState & { issued?: { nonce: string; domain: string; expiresAt: string } }> {
  const result = await execute(SiweNonceDocument, {});
  if (!result.data?.siweNonce) return { errors: messagesFor(result.errors) };
  return { errors: [], issued: result.data.siweNonce };
}

/** Step two: the router checks the wallet's signature of the EIP-4361 message; the token it answers with never reaches the page. */
export async function signInWithEthereum(message: string, signature: string): Promise<FormState> {
  const result = await execute(SignInWithEthereumDocument, { message, signature });
  return enter(result.data?.signInWithEthereum, result.errors);
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

/**
 * The project page's forms: each names its project in a hidden field. The page is rendered again
 * with the change, except where its live view shows the change itself (`rerender: false`).
 */
async function onProject(
  form: FormData,
  change: (projectId: string, token: string) => Promise<{ errors?: readonly RouterError[]; ok: boolean }>,
  rerender = true,
): Promise<FormState> {
  const token = await requireSession();
  const projectId = field(form, 'projectId');
  const result = await change(projectId, token);
  if (!result.ok) return { errors: messagesFor(result.errors) };
  if (rerender) revalidatePath(`/projects/${projectId}`);
  return { errors: [] };
}

export async function addFile(_previous: FormState, form: FormData): Promise<FormState> {
  return onProject(form, async (projectId, token) => {
    const result = await execute(PortalAddFileDocument, { projectId, path: field(form, 'path').trim(), content: field(form, 'content') }, token);
    return { errors: result.errors, ok: Boolean(result.data?.addFile) };
  });
}

export async function cutVersion(_previous: FormState, form: FormData): Promise<FormState> {
  return onProject(form, async (projectId, token) => {
    const result = await execute(PortalCutVersionDocument, { projectId, message: field(form, 'message').trim() }, token);
    return { errors: result.errors, ok: Boolean(result.data?.cutVersion) };
  });
}

const TASK_KINDS: readonly TaskKind[] = ['BUILD', 'TEST', 'ANALYZE', 'DEPLOY'];

export async function submitTask(_previous: FormState, form: FormData): Promise<FormState> {
  // Not rendered again: the task list follows taskUpdated, which announces the new task and each change after it.
  return onProject(
    form,
    async (projectId, token) => {
      const kind = TASK_KINDS.find((known) => known === field(form, 'kind')) ?? 'BUILD';
      const result = await execute(PortalSubmitTaskDocument, { projectId, kind }, token);
      return { errors: result.errors, ok: Boolean(result.data?.submitTask) };
    },
    false,
  );
}

const TIERS: readonly Tier[] = ['FREE', 'PRO', 'ENTERPRISE'];

/** Admins only: the router refuses anyone else, and the form shows its refusal. */
export async function changeTier(_previous: FormState, form: FormData): Promise<FormState> {
  const token = await requireSession();
  const tier = TIERS.find((known) => known === field(form, 'tier'));
  if (!tier) return { errors: messagesFor([{ message: 'unknown tier', extensions: { code: 'BAD_USER_INPUT' } }]) };
  const result = await execute(SetUserTierDocument, { userId: field(form, 'userId'), tier }, token);
  if (!result.data?.setUserTier) return { errors: messagesFor(result.errors) };
  revalidatePath('/admin');
  return { errors: [] };
}
