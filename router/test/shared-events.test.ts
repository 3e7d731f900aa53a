import type { ExecutionResult } from 'graphql';
import { eventQueue } from '@supergraph/pubsub';
import { SharedEvents } from '../src/subscriptions/shared-events';

async function drain(subscriber: { next(): Promise<IteratorResult<ExecutionResult>> }): Promise<ExecutionResult[]> {
  const results: ExecutionResult[] = [];
  for (let item = await subscriber.next(); !item.done; item = await subscriber.next()) results.push(item.value);
  return results;
}

it('ends a subscriber that stopped reading with SUBSCRIPTION_TOO_SLOW after what it holds, never skipping results, while the others go on', async () => {
  const source = eventQueue<ExecutionResult>(() => {}, 10_000);
  const group = new SharedEvents(
    source.iterator,
    async (event) => event,
    () => {},
  );
  const reader = group.join();
  const stalled = group.join();
  const read: ExecutionResult[] = [];
  const reading = (async () => {
    for (let item = await reader.next(); !item.done; item = await reader.next()) {
      read.push(item.value);
      if (read.length === 1500) return;
    }
  })();

  for (let n = 1; n <= 1500; n++) source.push({ data: { n } });
  await reading;

  const held = await drain(stalled);
  expect(held.slice(0, -1).map((result) => result.data!.n)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  expect(held.at(-1)!.errors![0]!.extensions).toMatchObject({ code: 'SUBSCRIPTION_TOO_SLOW', limit: 1000 });
  expect(read.map((result) => result.data!.n)).toEqual(Array.from({ length: 1500 }, (_, i) => i + 1));

  source.push({ data: { n: 1501 } });
  expect((await reader.next()).value).toEqual({ data: { n: 1501 } });
  reader.finish();
});
