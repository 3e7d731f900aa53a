/**
 * Socket tickets: a browser page's script never holds the access token, so its server asks the
 * router for a one-time ticket with the user's token, and the page opens its graphql-ws socket with
 * the ticket. A ticket opens one socket, from an allowed origin, within its lifetime, as its user.
 */
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { LoginDocument, RegisterDocument } from '../../clients/generated/graphql';
import { bearer, execute } from '@supergraph/testing';
import { SocketTicketRefused, SocketTickets } from '../src/socket-tickets';
import { startPlatform, type PlatformHarness } from './harness';

const PORTAL = 'http://portal.example:3000';
const STRANGER = 'https://stranger.example';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';

/** How a socket opened with a ticket ended up: acknowledged (and who it is), or closed with a code and reason. */
type SocketOutcome = { acknowledged: true; email: string | null } | { acknowledged: false; code: number; reason: string };

/** Opens a socket as a browser page on `origin` would (undefined: no Origin header, not a browser) and signs in with `ticket`. */
async function openWithTicket(graphqlUrl: string, ticket: string, origin: string | undefined): Promise<SocketOutcome> {
  const socket = new WebSocket(graphqlUrl.replace('http', 'ws'), 'graphql-transport-ws', origin ? { origin } : {});
  try {
    const closed = new Promise<SocketOutcome>((resolve) =>
      socket.once('close', (code, reason) => resolve({ acknowledged: false, code, reason: String(reason) })),
    );
    const messages = new Map<string, (payload: unknown) => void>();
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string; payload?: unknown };
      messages.get(message.type)?.(message.payload);
    });
    const arrival = (type: string) => new Promise<unknown>((resolve) => messages.set(type, resolve));
    await new Promise((resolve) => socket.once('open', resolve));
    const acknowledged = (async (): Promise<SocketOutcome> => {
      const ack = arrival('connection_ack');
      socket.send(JSON.stringify({ type: 'connection_init', payload: { ticket } }));
      await ack;
      const result = arrival('next') as Promise<{ data?: { me: { email: string } | null } }>;
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ me { email } }' } }));
      return { acknowledged: true, email: (await result).data?.me?.email ?? null };
    })();
    return await Promise.race([closed, acknowledged]);
  } finally {
    socket.close();
  }
}

describe('socket tickets through the router (Redis store)', () => {
  let platform: PlatformHarness;
  let token: string;
  const email = 'ticket-holder@example.com';

  beforeAll(async () => {
    platform = await startPlatform({ CORS_ORIGINS: PORTAL, REDIS_URL });
    const password = 'a long enough password';
    await execute(platform.graphqlUrl, RegisterDocument, { email, password });
    token = (await execute(platform.graphqlUrl, LoginDocument, { email, password })).data!.login.token;
  }, 60_000);
  afterAll(() => platform?.stop());

  const askForTicket = (headers: Record<string, string>, method = 'POST') => fetch(`${platform.routerUrl}/socket-ticket`, { method, headers });
  async function newTicket(): Promise<string> {
    const response = await askForTicket(bearer(token));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { ticket: string; expiresInMs: number };
    expect(body.expiresInMs).toBe(30_000);
    return body.ticket;
  }

  it('gives a signed-in caller a ticket, and refuses anyone else', async () => {
    const anonymous = await askForTicket({});
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ errors: [{ message: 'A socket ticket is for a signed-in caller', extensions: { code: 'UNAUTHENTICATED' } }] });
    const forged = await askForTicket(bearer('not-a-token'));
    expect(forged.status).toBe(401);
    expect((await askForTicket(bearer(token), 'GET')).status).toBe(405);
  });

  it('opens a socket from an allowed origin as the user the ticket was made for', async () => {
    expect(await openWithTicket(platform.graphqlUrl, await newTicket(), PORTAL)).toEqual({ acknowledged: true, email });
  });

  it('opens one socket only: a ticket used once closes the next socket with 4401', async () => {
    const ticket = await newTicket();
    expect(await openWithTicket(platform.graphqlUrl, ticket, PORTAL)).toMatchObject({ acknowledged: true });
    expect(await openWithTicket(platform.graphqlUrl, ticket, PORTAL)).toEqual({
      acknowledged: false,
      code: 4401,
      reason: 'Socket ticket is unknown, used or expired',
    });
  });

  it('closes a socket from another origin, or from no browser at all, with 4403, and the ticket is spent', async () => {
    const ticket = await newTicket();
    expect(await openWithTicket(platform.graphqlUrl, ticket, STRANGER)).toEqual({
      acknowledged: false,
      code: 4403,
      reason: `Origin ${STRANGER} may not open a socket with a ticket`,
    });
    expect(await openWithTicket(platform.graphqlUrl, ticket, PORTAL)).toMatchObject({ acknowledged: false, code: 4401 });
    expect(await openWithTicket(platform.graphqlUrl, await newTicket(), undefined)).toMatchObject({ acknowledged: false, code: 4403 });
  });

  it('closes a socket with a ticket it never issued with 4401', async () => {
    expect(await openWithTicket(platform.graphqlUrl, 'made-up-ticket', PORTAL)).toMatchObject({ acknowledged: false, code: 4401 });
  });
});

describe.each([
  ['in this process', () => undefined],
  ['in Redis', () => new Redis(REDIS_URL)],
])('a ticket kept %s', (_where, connect) => {
  let redis: Redis | undefined;
  beforeAll(() => (redis = connect()));
  afterAll(() => redis?.disconnect());

  it('stands for the credential it was issued for, once', async () => {
    const tickets = new SocketTickets({ origins: [PORTAL] }, redis);
    const ticket = await tickets.issue({ authorization: 'Bearer the-token' });
    expect(await tickets.redeem(ticket, PORTAL)).toEqual({ authorization: 'Bearer the-token' });
    await expect(tickets.redeem(ticket, PORTAL)).rejects.toMatchObject({ closeCode: 4401 });
  });

  it('is worthless after its lifetime', async () => {
    const tickets = new SocketTickets({ origins: [PORTAL], ttlMs: 20 }, redis);
    const ticket = await tickets.issue({ authorization: 'Bearer the-token' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(tickets.redeem(ticket, PORTAL)).rejects.toEqual(new SocketTicketRefused(4401, 'Socket ticket is unknown, used or expired'));
  });

  it('is never honoured for an origin under CORS_ORIGINS=*', async () => {
    const tickets = new SocketTickets({ origins: ['*'] }, redis);
    await expect(tickets.redeem(await tickets.issue({ authorization: 'Bearer the-token' }), STRANGER)).rejects.toMatchObject({ closeCode: 4403 });
  });
});
