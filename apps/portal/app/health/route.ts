/** 200 while the portal's server is up: what `npm start`'s supervisor and probes wait for. */
export function GET(): Response {
  return new Response('ok', { headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' } });
}
