import { InProcessEventBus, RedisEventBus, type EventBus } from '../src';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';

async function next<T>(iterator: AsyncIterator<T>, timeoutMs = 2000): Promise<T> {
  const result = await Promise.race([iterator.next(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no event arrived')), timeoutMs))]);
  return result.value as T;
}

describe.each<[string, () => [EventBus, EventBus]]>([
  [
    'in-process',
    () => {
      const bus = new InProcessEventBus();
      return [bus, bus];
    },
  ],
  // Two buses stand for two processes: one publishes, the other's subscriber receives.
  ['redis', () => [new RedisEventBus(REDIS_URL, `test:${process.pid}:`), new RedisEventBus(REDIS_URL, `test:${process.pid}:`)]],
])('%s event bus', (_name, create) => {
  let publisher: EventBus;
  let subscriber: EventBus;
  beforeEach(() => ([publisher, subscriber] = create()));
  afterEach(async () => {
    await publisher.close();
    await subscriber.close();
  });

  const settle = () => (subscriber instanceof RedisEventBus ? subscriber.ready() : Promise.resolve());

  it('delivers events published after subscribing, in order, to every subscriber of the channel', async () => {
    const first = subscriber.subscribe<{ n: number }>('orders');
    const second = subscriber.subscribe<{ n: number }>('orders');
    const other = subscriber.subscribe<{ n: number }>('other');
    await settle();
    await publisher.publish('orders', { n: 1 });
    await publisher.publish('orders', { n: 2 });
    expect([await next(first), await next(first)]).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await next(second)).toEqual({ n: 1 });
    const nothing = other.next();
    await expect(Promise.race([nothing, new Promise((resolve) => setTimeout(() => resolve('quiet'), 200))])).resolves.toBe('quiet');
    await Promise.all([first.return!(), second.return!(), other.return!()]);
  });

  it("hands a process's subscribers one copy of each event, not the publisher's object", async () => {
    const first = subscriber.subscribe<{ n: number }>('shared');
    const second = subscriber.subscribe<{ n: number }>('shared');
    await settle();
    const published = { n: 1 };
    await publisher.publish('shared', published);
    const [a, b] = [await next(first), await next(second)];
    expect(a).toBe(b); // what lets subscribers share the loads an event causes
    expect(a).not.toBe(published);
    await Promise.all([first.return!(), second.return!()]);
  });

  it('stops delivering once the iterator is ended', async () => {
    const events = subscriber.subscribe<{ n: number }>('ended');
    await settle();
    await events.return!();
    await publisher.publish('ended', { n: 1 });
    await expect(events.next()).resolves.toEqual({ value: undefined, done: true });
  });
});

it('forgets a channel when its last subscriber leaves, over many cycles', async () => {
  const bus = new InProcessEventBus();
  for (let i = 0; i < 10_000; i++) {
    const events = bus.subscribe(`channel-${i % 10}`);
    await events.return!();
  }
  expect(bus.activeChannels).toBe(0);
});
