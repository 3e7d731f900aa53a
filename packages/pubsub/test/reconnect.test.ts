import { startTcpProxy, type TcpProxy } from '@supergraph/testing';
import { Redis } from 'ioredis';
import { eventPosition, RedisEventBus } from '../src';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';

// The subscriber reaches Redis through a proxy the tests cut and restore; the publisher, like
// another process, reaches it directly and goes on publishing meanwhile.
let proxy: TcpProxy;
const open: RedisEventBus[] = [];
let run = 0;

beforeAll(async () => {
  const target = new URL(REDIS_URL);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
});
afterEach(async () => {
  await proxy.open();
  await Promise.all(open.splice(0).map((bus) => bus.close()));
});
afterAll(() => proxy.close());

function buses(): { prefix: string; publisher: RedisEventBus; subscriber: RedisEventBus } {
  const prefix = `reconnect:${process.pid}:${Date.now()}:${run++}:`;
  const publisher = new RedisEventBus(REDIS_URL, prefix);
  const subscriber = new RedisEventBus(`redis://127.0.0.1:${proxy.port}`, prefix);
  open.push(publisher, subscriber);
  return { prefix, publisher, subscriber };
}

/** The next result of `events`, or a failure after 10 s. */
async function next<T>(events: AsyncIterator<T>): Promise<IteratorResult<T>> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([events.next(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('nothing arrived')), 10_000)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Cuts the subscriber off Redis, runs `meanwhile` while Redis has no subscriber to send live messages to, and lets it reconnect. */
async function cutOff(prefix: string, channel: string, meanwhile: (redis: Redis) => Promise<void>): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    await proxy.close();
    const [, subscribers] = (await redis.pubsub('NUMSUB', prefix + channel)) as [string, number];
    expect(subscribers).toBe(0);
    await meanwhile(redis);
  } finally {
    redis.disconnect();
    await proxy.open();
  }
}

describe('a live subscription whose connection to Redis is cut and comes back', () => {
  it('gets the events published while it was cut off, once and in order, with nothing newer needed to show the gap; then live ones', async () => {
    const { prefix, publisher, subscriber } = buses();
    await publisher.publish('payments', { n: 0 });
    const events = await subscriber.resume<{ n: number }>('payments');
    await publisher.publish('payments', { n: 1 });
    expect((await next(events)).value).toEqual({ n: 1 });

    const published: string[] = [];
    await cutOff(prefix, 'payments', async () => {
      for (let n = 2; n <= 4; n++) published.push(await publisher.publish('payments', { n }));
    });
    const received: unknown[] = [];
    for (let n = 2; n <= 4; n++) received.push((await next(events)).value);
    expect(received).toEqual([{ n: 2 }, { n: 3 }, { n: 4 }]);
    expect(received.map(eventPosition)).toEqual(published);

    await publisher.publish('payments', { n: 5 });
    expect((await next(events)).value).toEqual({ n: 5 });
    await events.return!();
  });

  it('when nothing was published meanwhile, goes on with the next live event and nothing before it', async () => {
    const { prefix, publisher, subscriber } = buses();
    const events = await subscriber.resume<{ n: number }>('quiet');
    await publisher.publish('quiet', { n: 1 });
    expect((await next(events)).value).toEqual({ n: 1 });
    await cutOff(prefix, 'quiet', async () => undefined);
    await subscriber.ready();
    await publisher.publish('quiet', { n: 2 });
    expect((await next(events)).value).toEqual({ n: 2 });
    await events.return!();
  });

  it('whose log was lost meanwhile (Redis came back empty) ends with SUBSCRIPTION_POSITION_EXPIRED as it reconnects, not at some later event', async () => {
    const { prefix, publisher, subscriber } = buses();
    const events = await subscriber.resume<{ n: number }>('wiped');
    await publisher.publish('wiped', { n: 1 });
    expect((await next(events)).value).toEqual({ n: 1 });

    await cutOff(prefix, 'wiped', async (redis) => {
      await redis.del(`${prefix}log:wiped`);
    });
    const ended = await next(events).then(
      () => 'an event',
      (error: unknown) => error,
    );
    expect(ended).toHaveProperty('extensions.code', 'SUBSCRIPTION_POSITION_EXPIRED');
  });
});
