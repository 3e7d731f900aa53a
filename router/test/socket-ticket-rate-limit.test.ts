/**
 * POST /socket-ticket is rate limited like operations are, in a window of its own
 * (SOCKET_TICKETS_PER_MINUTE): a signed-in caller by account, anyone else by address, so neither one
 * token nor a stranger's flood can fill the ticket store. Over the limit: 429 RATE_LIMITED with
 * Retry-After. With Redis the window is Redis' (shared by router instances), else the process's.
 */
import { randomInt } from 'node:crypto';
import { LoginDocument, RegisterDocument } from '../../clients/generated/graphql';
import { bearer, execute, graphql, newCallerAddress } from '@supergraph/testing';
import { startPlatform, type PlatformHarness } from './harness';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';
const TICKETS_PER_WINDOW = 3;
const OPERATIONS_PER_WINDOW = 2;
const PASSWORD = 'a long enough password';

type TicketAnswer = { ticket?: string; errors?: { message: string; extensions: Record<string, unknown> }[] };

describe.each([
  ['in Redis', { REDIS_URL }],
  ['in this process', {}],
])('socket tickets rate limited %s', (_where, store: Record<string, string>) => {
  let platform: PlatformHarness;

  beforeAll(async () => {
    platform = await startPlatform({
      ...store,
      SOCKET_TICKETS_PER_MINUTE: String(TICKETS_PER_WINDOW),
      RATE_LIMIT_PER_MINUTE: String(OPERATIONS_PER_WINDOW),
      RATE_LIMIT_TRUST_PROXY: 'true',
    });
  }, 60_000);
  afterAll(() => platform?.stop());

  // Each caller comes from an address of its own, so reruns within a window (one Redis) never share one.
  const address = () => `${newCallerAddress()}, 10.0.0.1`;

  /** A new account's access token, registered and signed in from addresses of their own (anonymous operations count by address). */
  async function newAccount(): Promise<string> {
    const email = `ticket-limited-${randomInt(1e9)}@example.com`;
    const registered = await execute(platform.graphqlUrl, RegisterDocument, { email, password: PASSWORD }, { 'x-forwarded-for': address() });
    expect(registered.errors).toBeUndefined();
    const login = await execute(platform.graphqlUrl, LoginDocument, { email, password: PASSWORD }, { 'x-forwarded-for': address() });
    expect(login.errors).toBeUndefined();
    return login.data!.login.token;
  }

  async function askForTicket(headers: Record<string, string>): Promise<{ status: number; retryAfter: string | null; body: TicketAnswer }> {
    const response = await fetch(`${platform.routerUrl}/socket-ticket`, { method: 'POST', headers });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as TicketAnswer };
  }

  /** The refusal every transport gives a caller over its limit: 429, Retry-After within the window, RATE_LIMITED with the same figures. */
  function expectRateLimited(answer: Awaited<ReturnType<typeof askForTicket>>): void {
    expect(answer.status).toBe(429);
    const retryAfter = Number(answer.retryAfter);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(answer.body.ticket).toBeUndefined();
    expect(answer.body.errors).toEqual([
      {
        message: `Rate limit of ${TICKETS_PER_WINDOW} requests per window exceeded; retry after ${retryAfter} s`,
        extensions: { code: 'RATE_LIMITED', retryAfter, limit: TICKETS_PER_WINDOW },
      },
    ]);
  }

  it('issues a signed-in caller tickets up to the limit, then answers 429 RATE_LIMITED with Retry-After, wherever the requests come from', async () => {
    const token = await newAccount();
    const asUser = () => ({ ...bearer(token), 'x-forwarded-for': address() });
    const issued: string[] = [];
    for (let i = 0; i < TICKETS_PER_WINDOW; i++) {
      const answer = await askForTicket(asUser());
      expect(answer.status).toBe(200);
      issued.push(answer.body.ticket!);
    }
    expect(new Set(issued).size).toBe(TICKETS_PER_WINDOW);
    expectRateLimited(await askForTicket(asUser()));

    // Tickets have a window of their own: the caller's operations are still admitted.
    const me = await graphql<{ me: { id: string } }>(platform.graphqlUrl, '{ me { id } }', {}, asUser());
    expect(me.status).toBe(200);
    expect(me.errors).toBeUndefined();
  });

  it('leaves another signed-in caller unaffected, even from the same address', async () => {
    const from = { 'x-forwarded-for': address() };
    const [first, second] = [await newAccount(), await newAccount()];
    for (let i = 0; i < TICKETS_PER_WINDOW; i++) expect((await askForTicket({ ...bearer(first), ...from })).status).toBe(200);
    expectRateLimited(await askForTicket({ ...bearer(first), ...from }));

    const other = await askForTicket({ ...bearer(second), ...from });
    expect(other.status).toBe(200);
    expect(other.body.ticket).toEqual(expect.any(String));
  });

  it('counts callers who are not signed in by address: a flood is refused 401, then 429, and never gets a ticket', async () => {
    const flooding = { 'x-forwarded-for': address() };
    const flood = [{}, bearer('not-a-token'), { 'x-api-key': 'sgk_made-up' }, {}, bearer('not-a-token'), { 'x-api-key': 'sgk_made-up' }];
    const answers = [];
    for (const credential of flood) answers.push(await askForTicket({ ...credential, ...flooding }));

    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 429, 429, 429]);
    for (const answer of answers.slice(0, TICKETS_PER_WINDOW)) expect(answer.body.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    for (const answer of answers.slice(TICKETS_PER_WINDOW)) expectRateLimited(answer);
    expect(answers.filter((answer) => answer.body.ticket !== undefined)).toEqual([]);

    // Another address is not refused for it; nor is a signed-in user at the flooded one.
    expect((await askForTicket({ 'x-forwarded-for': address() })).status).toBe(401);
    expect((await askForTicket({ ...bearer(await newAccount()), ...flooding })).status).toBe(200);
  });
});
