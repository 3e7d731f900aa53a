import { createClient, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

type Result<TData> = FormattedExecutionResult<TData, unknown>;

/** Many subscriptions to one operation on one graphql-ws socket: what fan-out tests watch. */
export interface SubscriptionFanout<TData> {
  /** Every subscription's results so far, oldest first (errors included, so a failure shows them). */
  received: Result<TData>[][];
  /**
   * Subscriptions go live asynchronously: runs `trigger` (which says how to recognise the event it
   * caused) again and again until every subscription has seen its event. Throws after `attempts`.
   */
  untilLive(trigger: () => Promise<(data: TData) => boolean>, attempts?: number): Promise<void>;
  /** True once every subscription's latest result satisfies `seen`; false if that takes over `ms`. */
  everyoneSees(seen: (data: TData) => boolean, ms: number): Promise<boolean>;
  dispose(): Promise<void>;
}

/**
 * Opens one socket to a subgraph's `url`, signed with `headers` (`asRouter(identity, secret)`),
 * and starts `count` subscriptions of `operation` on it: the router's shape, one socket per
 * identity carrying many subscriptions.
 */
export function subscribeMany<TData>(
  url: string,
  headers: Record<string, string>,
  operation: { query: string; variables?: Record<string, unknown> },
  count = 20,
): SubscriptionFanout<TData> {
  const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { headers }, retryAttempts: 0 });
  const received: Result<TData>[][] = Array.from({ length: count }, () => []);
  let arrived = () => {};
  for (const results of received) {
    client.subscribe<TData>(operation, {
      next: (result) => (results.push(result), arrived()),
      error: (error) => (results.push({ errors: [{ message: String(error) }] }), arrived()),
      complete: () => {},
    });
  }
  const everyoneSees = (seen: (data: TData) => boolean, ms: number) =>
    new Promise<boolean>((resolve) => {
      const latestSeen = (results: Result<TData>[]) => {
        const data = results.at(-1)?.data;
        return data != null && seen(data);
      };
      const check = () => received.every(latestSeen) && (clearTimeout(timer), resolve(true));
      const timer = setTimeout(() => resolve(false), ms);
      arrived = () => void check();
      check();
    });
  return {
    received,
    everyoneSees,
    untilLive: async (trigger, attempts = 5) => {
      for (let attempt = 0; attempt < attempts; attempt++) {
        if (await everyoneSees(await trigger(), 2_000)) return;
      }
      throw new Error(`not every subscription went live: ${JSON.stringify(received.map((results) => results.at(-1)))}`);
    },
    dispose: async () => void (await client.dispose()),
  };
}
