import 'server-only';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { portalConfig } from './config';

/**
 * The signed-in user's access token lives in one httpOnly, SameSite=Lax cookie: scripts in the page
 * cannot read it, and other sites' forms cannot post with it. Only server code (components, actions,
 * route handlers) reads it, to call the router as that user.
 */
const COOKIE = 'portal_session';

/** Keeps `token` until `expiresAt` (the token's own expiry), Secure when the portal is reached over HTTPS. */
export async function startSession(token: string, expiresAt: string): Promise<void> {
  const secure = (await headers()).get('x-forwarded-proto') === 'https' || portalConfig.secureCookies;
  (await cookies()).set(COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: new Date(expiresAt) });
}

export async function endSession(): Promise<void> {
  (await cookies()).delete(COOKIE);
}

export async function sessionToken(): Promise<string | undefined> {
  return (await cookies()).get(COOKIE)?.value;
}

/** The token of the signed-in user; anyone else is sent to sign in. */
export async function requireSession(): Promise<string> {
  const token = await sessionToken();
  if (!token) redirect('/login');
  return token;
}
