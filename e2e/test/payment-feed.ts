import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { bearer, graphql } from '@supergraph/testing';

export interface PaymentEvent {
  id: string;
  status: string;
  [field: string]: unknown;
}

/**
 * A `paymentUpdated` subscriber at a router, plus a way to make card payments. A subscription
 * goes live upstream asynchronously, so `live()` pays until one event proves it is; every
 * payment after that must be delivered.
 */
export function paymentFeed(options: { subscribeUrl: string; subscriberToken: string; selection: string; payUrl: string; payerToken: string }) {
  const client = createClient({
    url: options.subscribeUrl.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: bearer(options.subscriberToken),
    retryAttempts: 0,
  });
  const events: PaymentEvent[] = [];
  const failures: unknown[] = [];
  client.subscribe(
    { query: `subscription { paymentUpdated ${options.selection} }` },
    {
      next: (result) => void (result.errors ? failures.push(result.errors) : events.push((result.data as { paymentUpdated: PaymentEvent }).paymentUpdated)),
      error: (error) => void failures.push(error),
      complete: () => {},
    },
  );

  const pay = async (): Promise<string> => {
    const paid = await graphql<{ createPayment: { id: string } }>(
      options.payUrl,
      'mutation ($key: String!) { createPayment(amount: "4200", currency: "USD", idempotencyKey: $key) { id } }',
      { key: randomUUID() },
      bearer(options.payerToken),
    );
    if (paid.errors) throw new Error(JSON.stringify(paid.errors));
    return paid.data!.createPayment.id;
  };

  /** The event announcing payment `id`, or undefined after `timeoutMs`; subscription errors throw. */
  const eventFor = async (id: string, timeoutMs = 30_000): Promise<PaymentEvent | undefined> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (failures.length > 0) throw new Error(JSON.stringify(failures));
      const event = events.find((candidate) => candidate.id === id);
      if (event) return event;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return undefined;
  };

  return {
    pay,
    eventFor,
    live: async (): Promise<void> => {
      while (!(await eventFor(await pay(), 5_000)));
    },
    dispose: () => client.dispose(),
  };
}
