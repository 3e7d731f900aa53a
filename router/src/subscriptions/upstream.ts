import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { ExecutionResult, GraphQLError } from 'graphql';
import { signIdentity, type Identity } from '@supergraph/identity';
import { eventQueue } from '@supergraph/pubsub';
import { clientError } from '@supergraph/server';

/**
 * Events one upstream subscription may hold that the router has not completed yet: twice a channel's
 * default retention, so a whole replay after `after` fits. Beyond it the subscription ends with
 * SUBSCRIPTION_TOO_SLOW after what it holds, never skipping events (the client resumes after the last).
 */
const UPSTREAM_CAPACITY = 20_000;

/**
 * graphql-ws connections from the router to subgraphs. Subscriptions of the same identity to
 * the same subgraph share one socket; a socket closes when its last subscription ends.
 * A subgraph that goes away ends its subscriptions with SUBSCRIPTION_SOURCE_LOST, never silence.
 */
export class UpstreamSubscriptions {
  private readonly clients = new Map<string, { client: Client; users: number }>();

  constructor(
    private readonly signingSecret: string,
    /** Interval of graphql-ws pings on each upstream socket (WS_KEEPALIVE_MS). */
    private readonly keepAliveMs: number,
    /** Told when a subgraph ends a subscription: it went away (source_lost) or completed it (completed). Default: nobody. */
    private readonly onEnded: (subgraph: string, reason: 'source_lost' | 'completed') => void = () => {},
  ) {}

  subscribe(
    subgraph: { name: string; url: string },
    identity: Identity,
    request: { query: string; variables: Record<string, unknown>; operationName?: string },
  ): AsyncIterableIterator<ExecutionResult> {
    const key = `${subgraph.url}\u0000${JSON.stringify(identity)}`;
    let entry = this.clients.get(key);
    if (!entry) {
      entry = { users: 0, client: this.connect(subgraph.url, identity) };
      this.clients.set(key, entry);
    }
    const shared = entry;
    shared.users++;

    let unsubscribe: () => void = () => {};
    // Set once the subscription ends on our side (the client, a reload): what the subgraph says after that is no news.
    let ended = false;
    const queue = eventQueue<ExecutionResult>(() => {
      ended = true;
      unsubscribe();
      if (--shared.users === 0) {
        this.clients.delete(key);
        void shared.client.dispose();
      }
    }, UPSTREAM_CAPACITY + 1);
    // The last result, read after those already queued.
    const endWith = (error: GraphQLError) => {
      queue.push({ errors: [error] });
      queue.end();
    };
    const fail = (message: string) => {
      if (!ended) this.onEnded(subgraph.name, 'source_lost');
      endWith(clientError('SUBSCRIPTION_SOURCE_LOST', message, { subgraph: subgraph.name }));
    };
    unsubscribe = shared.client.subscribe(request, {
      next: (result) => {
        if (queue.size() < UPSTREAM_CAPACITY) queue.push(result as ExecutionResult);
        else
          endWith(
            clientError(
              'SUBSCRIPTION_TOO_SLOW',
              `More than ${UPSTREAM_CAPACITY} events waited to be completed; subscribe again with "after" set to the last position you received`,
              { limit: UPSTREAM_CAPACITY },
            ),
          );
      },
      error: (error) => fail(`The ${subgraph.name} subgraph ended this subscription: ${describe(error)}`),
      complete: () => {
        if (!ended) this.onEnded(subgraph.name, 'completed');
        queue.end(); // after the results still queued: the last may say why it ended
      },
    });
    return queue.iterator;
  }

  /** Open upstream sockets (for metrics and leak tests). */
  get connections(): number {
    return this.clients.size;
  }

  private connect(httpUrl: string, identity: Identity): Client {
    return createClient({
      url: httpUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      // Signed at each (re)connect, so the signature's short expiry never outlives the handshake.
      connectionParams: () => ({ headers: signIdentity(identity, this.signingSecret) }),
      lazy: true,
      retryAttempts: 0,
      keepAlive: this.keepAliveMs,
    });
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (Array.isArray(error)) return error.map((item: { message?: string }) => item.message).join('; ');
  if (error && typeof error === 'object' && 'code' in error) {
    const close = error as { code: number; reason?: string };
    return `connection closed (${close.code}${close.reason ? ` ${close.reason}` : ''})`;
  }
  return String(error);
}
