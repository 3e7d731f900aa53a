import { portalConfig } from '../../src/config';
import { sessionToken } from '../../src/session';

/**
 * POST /socket-ticket: a one-time ticket for this page's graphql-ws socket to the router, asked of the
 * router with the session's token, so the page's script never holds the token itself. Only the
 * portal's own pages get one: a request another site's page made (Sec-Fetch-Site other than
 * same-origin; SameSite=Lax already keeps the cookie off cross-site POSTs) is refused, and without
 * CORS headers no other origin can read the answer anyway.
 */
export async function POST(request: Request): Promise<Response> {
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin') return refusal(403, 'FORBIDDEN');
  const token = await sessionToken();
  if (!token) return refusal(401, 'UNAUTHENTICATED');
  try {
    const answer = await fetch(new URL('/socket-ticket', portalConfig.routerUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      cache: 'no-store',
    });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
    // The router's rate limit on tickets (429) says when to ask again.
    const retryAfter = answer.headers.get('retry-after');
    if (retryAfter) headers['retry-after'] = retryAfter;
    return new Response(await answer.text(), { status: answer.status, headers });
  } catch (error) {
    console.error(`portal: the router failed: ${error instanceof Error ? error.message : String(error)}`);
    return refusal(502, 'SUBGRAPH_UNAVAILABLE');
  }
}

/** The router's error shape, so the page maps the code to words like any other error. */
function refusal(status: number, code: string): Response {
  return Response.json({ errors: [{ message: code, extensions: { code } }] }, { status, headers: { 'cache-control': 'no-store' } });
}
