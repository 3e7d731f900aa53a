import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Redis } from 'ioredis';
import { ANONYMOUS, type Identity } from '@supergraph/identity';
import { hasErrorCode, sendJson, sendJsonError, sendRefusal, unauthenticated, type Logger } from '@supergraph/server';
import type { RateLimiter } from './rate-limit';

export interface SocketTicketOptions {
  /**
   * Browser origins a ticket may open a socket from: CORS_ORIGINS' exact entries. `*` admits no
   * one here, since a ticket stands for a signed-in user; a socket without an Origin header is refused too.
   */
  origins: readonly string[];
  /** How long a ticket waits for its socket, in ms. Default 30 000: a page opens its socket at once, and a leaked ticket is soon worthless. */
  ttlMs?: number;
}

/** A ticket that cannot open a socket, with the graphql-ws close code that says why. */
export class SocketTicketRefused extends Error {
  constructor(
    /** 4401: unknown, used or expired; 4403: the page's origin may not use tickets. */
    readonly closeCode: 4401 | 4403,
    message: string,
  ) {
    super(message);
  }
}

/** The headers a ticket stands in for: the credential of the caller who asked for it. */
type Credential = { authorization?: string; 'x-api-key'?: string };

/** Where tickets wait: `take` returns a ticket's value once, never again, and nothing after its expiry. */
interface TicketStore {
  put(key: string, value: string, ttlMs: number): Promise<void>;
  take(key: string): Promise<string | undefined>;
}

const REDIS_PREFIX = 'supergraph:socket-ticket:';

/** Shared by every router instance and worker, so the socket may land on another one than the ticket was made on. */
class RedisTicketStore implements TicketStore {
  constructor(private readonly redis: Redis) {}

  async put(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(REDIS_PREFIX + key, value, 'PX', ttlMs);
  }

  async take(key: string): Promise<string | undefined> {
    // GETDEL is atomic: two sockets racing with one ticket cannot both get it.
    return (await this.redis.getdel(REDIS_PREFIX + key)) ?? undefined;
  }
}

/** One process only (no REDIS_URL): a ticket made on one router worker cannot open a socket on another. */
class MemoryTicketStore implements TicketStore {
  private readonly tickets = new Map<string, { value: string; expiresAt: number }>();

  async put(key: string, value: string, ttlMs: number): Promise<void> {
    const now = Date.now();
    for (const [stale, { expiresAt }] of this.tickets) if (expiresAt <= now) this.tickets.delete(stale);
    this.tickets.set(key, { value, expiresAt: now + ttlMs });
  }

  async take(key: string): Promise<string | undefined> {
    const ticket = this.tickets.get(key);
    this.tickets.delete(key);
    return ticket && ticket.expiresAt > Date.now() ? ticket.value : undefined;
  }
}

/**
 * One-time tickets that let a browser page open an authenticated graphql-ws socket without its
 * script ever holding the access token. The page's own server (the portal) asks for a ticket with
 * the signed-in user's token; the page sends the ticket in `connection_init`; the router swaps it
 * for that token, once, within `ttlMs`, and only on a socket opened from an allowed origin. Only a
 * hash of the ticket is kept, so the store's keys are no use to whoever reads them.
 */
export class SocketTickets {
  private readonly store: TicketStore;
  private readonly origins: ReadonlySet<string>;
  readonly ttlMs: number;

  constructor(options: SocketTicketOptions, redis: Redis | undefined) {
    this.store = redis ? new RedisTicketStore(redis) : new MemoryTicketStore();
    this.origins = new Set(options.origins.filter((origin) => origin !== '*'));
    this.ttlMs = options.ttlMs ?? 30_000;
  }

  /** A new ticket for the holder of `credential` (already authenticated). */
  async issue(credential: Credential): Promise<string> {
    const ticket = randomBytes(32).toString('base64url');
    await this.store.put(keyOf(ticket), JSON.stringify(credential), this.ttlMs);
    return ticket;
  }

  /** The credential `ticket` stands for, for a socket opened from `origin`; the ticket is spent either way. */
  async redeem(ticket: string, origin: string | undefined): Promise<Credential> {
    const credential = await this.store.take(keyOf(ticket));
    if (origin === undefined || !this.origins.has(origin)) {
      throw new SocketTicketRefused(4403, `Origin ${origin ?? '(none)'} may not open a socket with a ticket`);
    }
    if (credential === undefined) throw new SocketTicketRefused(4401, 'Socket ticket is unknown, used or expired');
    return JSON.parse(credential) as Credential;
  }
}

const keyOf = (ticket: string): string => createHash('sha256').update(ticket).digest('base64url');

/**
 * POST /socket-ticket: a signed-in caller (bearer token or API key) gets `{ ticket, expiresInMs }`.
 * Meant for a portal's server, which holds the user's token; anonymous callers get 401.
 *
 * `limiter` is the router's rate limiting with a window of its own for tickets: a caller is counted
 * by API key or user, so one token cannot fill the ticket store; a caller who is not signed in is
 * counted by address, on refusals, so a flood of bad or missing credentials turns into 429s at once.
 * Authentication comes first: many users behind one address (a portal's server) are never refused
 * for the refusals of another's expired token there.
 */
export function socketTicketRoute(
  tickets: SocketTickets,
  authenticate: (headers: IncomingHttpHeaders) => Promise<Identity>,
  limiter: RateLimiter,
  logger: Logger,
) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method !== 'POST') return sendJsonError(response, 'METHOD_NOT_ALLOWED', 'Ask for a socket ticket with POST');
    try {
      const caller = await signedInCaller(request.headers, authenticate);
      // Anyone not signed in counts against the address the request came from.
      await limiter.check(caller instanceof GraphQLError ? ANONYMOUS : caller, request);
      if (caller instanceof GraphQLError) throw caller;
      const { authorization, 'x-api-key': apiKey } = request.headers;
      const ticket = await tickets.issue({ authorization, 'x-api-key': typeof apiKey === 'string' ? apiKey : undefined });
      sendJson(response, 200, { ticket, expiresInMs: tickets.ttlMs });
    } catch (error) {
      if (error instanceof GraphQLError && (hasErrorCode(error, 'UNAUTHENTICATED') || hasErrorCode(error, 'RATE_LIMITED'))) return sendRefusal(response, error);
      logger.error('a socket ticket could not be issued', { error: error instanceof Error ? error.message : String(error) });
      sendJsonError(response, 'INTERNAL_SERVER_ERROR', 'Internal server error');
    }
  };
}

/** The signed-in user asking, or the UNAUTHENTICATED refusal for anyone else (a bad credential's own reason, else none given). */
async function signedInCaller(
  headers: IncomingHttpHeaders,
  authenticate: (headers: IncomingHttpHeaders) => Promise<Identity>,
): Promise<Identity | GraphQLError> {
  try {
    const identity = await authenticate(headers);
    return identity.kind === 'user' ? identity : unauthenticated('A socket ticket is for a signed-in caller');
  } catch (error) {
    if (error instanceof GraphQLError && hasErrorCode(error, 'UNAUTHENTICATED')) return error;
    throw error;
  }
}
