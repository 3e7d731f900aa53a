import { startTcpProxy, type TcpProxy } from '@supergraph/testing';
import { Redis } from 'ioredis';
import { consumeEvents, InProcessEventBus, RedisEventBus, type EventBus } from '../src';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';

/** A consumer of `channel` on `bus` that records what it handles, and a way to wait for a count. */
function recording(bus: EventBus, channel: string, options: { failOn?: number } = {}) {
  const handled: number[] = [];
  const failed: number[] = [];
  const gaps: unknown[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const consumer = consumeEvents<{ n: number }>(bus, channel, {
    handle: async ({ n }) => {
      if (n === options.failOn) throw new Error('bad event');
      handled.push(n);
      for (const waiter of waiters.filter((candidate) => handled.length >= candidate.count)) waiter.resolve();
    },
    onError: ({ n }) => failed.push(n),
    onGap: (cause) => gaps.push(cause),
    retryMs: 50,
  });
  const handledCount = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`handled ${JSON.stringify(handled)}, waiting for ${count}`)), 10_000);
      waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
      if (handled.length >= count) resolve();
    });
  return { consumer, handled, failed, gaps, handledCount };
}

describe('consumeEvents', () => {
  it('handles events one at a time in order; a failing one goes to onError and the next is still handled', async () => {
    const bus = new InProcessEventBus();
    const { consumer, handled, failed, gaps, handledCount } = recording(bus, 'jobs', { failOn: 2 });
    await consumer.ready;
    for (const n of [1, 2, 3]) await bus.publish('jobs', { n });
    await handledCount(2);
    expect(handled).toEqual([1, 3]);
    expect(failed).toEqual([2]);
    expect(gaps).toEqual([]);

    await consumer.stop();
    expect(bus.activeChannels).toBe(0);
    await bus.close();
  });
});

describe('consumeEvents on Redis, through a connection the tests cut', () => {
  // The consumer reaches Redis through the proxy; the publisher, like another service, directly.
  let proxy: TcpProxy;
  let run = 0;
  beforeAll(async () => {
    const target = new URL(REDIS_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
  });
  afterEach(() => proxy.open());
  afterAll(() => proxy.close());

  /** A consumer that has handled event 1 and is then cut off (its connection held) while event 2 is published. */
  async function cutOffAfterFirstEvent() {
    const prefix = `consume:${process.pid}:${Date.now()}:${run++}:`;
    const publisher = new RedisEventBus(REDIS_URL, prefix);
    const subscriber = new RedisEventBus(`redis://127.0.0.1:${proxy.port}`, prefix);
    const recorder = recording(subscriber, 'accounts');
    await recorder.consumer.ready;
    await publisher.publish('accounts', { n: 1 });
    await recorder.handledCount(1);
    proxy.hold();
    await publisher.publish('accounts', { n: 2 });
    const close = async () => {
      await recorder.consumer.stop();
      await Promise.all([publisher.close(), subscriber.close()]);
    };
    return { ...recorder, prefix, publisher, close };
  }

  it('handles an event published while its connection was cut, once it is back, and nothing twice', async () => {
    const { publisher, handled, gaps, handledCount, close } = await cutOffAfterFirstEvent();
    try {
      await publisher.publish('accounts', { n: 3 });
      await proxy.open();
      await handledCount(3);
      await publisher.publish('accounts', { n: 4 });
      await handledCount(4);
      expect(handled).toEqual([1, 2, 3, 4]);
      expect(gaps).toEqual([]);
    } finally {
      await close();
    }
  });

  it('tells onGap when the log lost what was published while it was cut off, and goes on with what comes next', async () => {
    const { prefix, publisher, handled, gaps, handledCount, close } = await cutOffAfterFirstEvent();
    const redis = new Redis(REDIS_URL);
    try {
      // What a Redis that came back empty shows: this channel's log is gone.
      await redis.del(`${prefix}log:accounts`);
      await proxy.open();
      for (let waited = 0; gaps.length === 0 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(gaps).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBSCRIPTION_POSITION_EXPIRED' }) })]);
      await publisher.publish('accounts', { n: 3 });
      await handledCount(2);
      expect(handled).toEqual([1, 3]);
    } finally {
      redis.disconnect();
      await close();
    }
  });
});
