import 'server-only';
import { cache } from 'react';
import { redirect } from 'next/navigation';
import { PortalViewerDocument } from '../../../clients/generated/graphql';
import { execute } from './router';
import { sessionToken } from './session';

/** Who is signed in, asked of the router once per page render (layout and page share it); null when nobody is. */
export const viewer = cache(async () => {
  const token = await sessionToken();
  if (!token) return null;
  const result = await execute(PortalViewerDocument, {}, token);
  const me = result.data?.me;
  return me ? { ...me, token, isAdmin: me.roles.includes('ADMIN') } : null;
});

/** The signed-in user; anyone else, including a holder of an expired token, is sent to sign in. */
export async function requireViewer() {
  const signedIn = await viewer();
  if (!signedIn) redirect('/login');
  return signedIn;
}
