import { hasErrorCode } from '@supergraph/server';
import type { GraphQLError } from 'graphql';
import { eventPosition, InProcessEventBus, RedisEventBus, type EventBus, type EventLog } from '../src';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379';

async function take<T>(events: AsyncIterator<T>, count: number): Promise<T[]> {
  const taken: T[] = [];
  while (taken.length < count) {
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      events.next(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no event arrived')), 5000))),
    ]);
    clearTimeout(timer);
    if (result.done) break;
    taken.push(result.value);
  }
  return taken;
}

async function refusal(attempt: Promise<unknown>): Promise<GraphQLError> {
  return attempt.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: unknown) => error as GraphQLError,
  );
}

let run = 0;

describe.each<[string, (retention: number) => [EventBus, EventBus]]>([
  [
    'in-process',
    (retention) => {
      const bus = new InProcessEventBus({ retention });
      return [bus, bus];
    },
  ],
  // Two buses stand for two processes: one publishes, the other's subscriber resumes.
  [
    'redis',
    (retention) => {
      const prefix = `test:${process.pid}:${Date.now()}:${run++}:`;
      return [new RedisEventBus(REDIS_URL, prefix, { retention }), new RedisEventBus(REDIS_URL, prefix, { retention })];
    },
  ],
])('%s event bus, resuming', (_name, create) => {
  const open: EventBus[] = [];
  const buses = (retention = 10_000): [EventBus, EventBus] => {
    const pair = create(retention);
    open.push(...pair);
    return pair;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((bus) => bus.close()));
  });

  it('gives every event a position, increasing, that the subscriber sees on the event', async () => {
    const [publisher, subscriber] = buses();
    const events = await subscriber.resume<{ n: number }>('orders');
    const published = [await publisher.publish('orders', { n: 1 }), await publisher.publish('orders', { n: 2 })];
    const received = await take(events, 2);
    expect(received).toEqual([{ n: 1 }, { n: 2 }]);
    expect(received.map(eventPosition)).toEqual(published);
    expect(published[0]! < published[1]! || published[0]!.length < published[1]!.length).toBe(true);
    await events.return!();
  });

  it('resumes after a position with what was missed, then live events: each once, in order, across the seam', async () => {
    const [publisher, subscriber] = buses();
    const first = await subscriber.resume<{ n: number }>('burst');
    for (let n = 1; n <= 5; n++) await publisher.publish('burst', { n });
    const seen = await take(first, 3);
    await first.return!(); // the connection drops after event 3
    const lastSeen = eventPosition(seen.at(-1))!;

    // Events keep coming while the subscriber is away, and while it resumes.
    const missed = (async () => {
      for (let n = 6; n <= 250; n++) await publisher.publish('burst', { n });
    })();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const resumed = await subscriber.resume<{ n: number }>('burst', lastSeen);
    await missed;
    for (let n = 251; n <= 260; n++) await publisher.publish('burst', { n });
    const rest = await take(resumed, 257);
    expect([...seen, ...rest].map(({ n }) => n)).toEqual(Array.from({ length: 260 }, (_, i) => i + 1));
    await resumed.return!();
  });

  it('resuming at the last position gives only what comes next', async () => {
    const [publisher, subscriber] = buses();
    const last = await publisher.publish('quiet', { n: 1 });
    const events = await subscriber.resume<{ n: number }>('quiet', last);
    await publisher.publish('quiet', { n: 2 });
    expect(await take(events, 1)).toEqual([{ n: 2 }]);
    await events.return!();
  });

  it('refuses a position older than the retention window with SUBSCRIPTION_POSITION_EXPIRED, never a gap', async () => {
    const [publisher, subscriber] = buses(10);
    const old = await publisher.publish('busy', { n: 0 });
    const kept = await publisher.publish('busy', { n: 1 });
    // Redis trims `MAXLEN ~` a whole node (100 entries) at a time: go well past it.
    for (let n = 2; n <= 300; n++) await publisher.publish('busy', { n });
    const error = await refusal(subscriber.resume('busy', old));
    expect(hasErrorCode(error, 'SUBSCRIPTION_POSITION_EXPIRED')).toBe(true);
    expect(error.extensions.position).toBe(old);
    await expect(refusal(subscriber.resume('busy', kept))).resolves.toHaveProperty('extensions.code', 'SUBSCRIPTION_POSITION_EXPIRED');

    // The window is bounded: the log holds the retention plus at most what one trimming step leaves.
    const { events } = await (subscriber as EventBus & EventLog).read('busy', '0-0', 1000);
    expect(events.length).toBeGreaterThanOrEqual(10);
    expect(events.length).toBeLessThan(200);
  });

  it('refuses a position this log never gave (another deployment, a lost log) and one that is not a position', async () => {
    const [publisher, subscriber] = buses();
    await publisher.publish('known', { n: 1 });
    const future = `${Date.now() + 3_600_000}-0`;
    await expect(refusal(subscriber.resume('known', future))).resolves.toHaveProperty('extensions.code', 'SUBSCRIPTION_POSITION_EXPIRED');
    await expect(refusal(subscriber.resume('never-published', '1700000000000-0'))).resolves.toHaveProperty('extensions.code', 'SUBSCRIPTION_POSITION_EXPIRED');
    const malformed = await refusal(subscriber.resume('known', 'yesterday'));
    expect(malformed.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('a subscriber that reads slowly misses nothing: overflowing live events are read again from the log', async () => {
    const [publisher, subscriber] = buses();
    const events = await subscriber.resume<{ n: number }>('flood');
    // More than the 1,000 live events a subscriber may hold unread.
    await Promise.all(Array.from({ length: 1500 }, (_, i) => publisher.publish('flood', { n: i + 1 })));
    const received = await take(events, 1500);
    const numbers = received.map(({ n }) => n);
    expect(new Set(numbers).size).toBe(1500);
    expect(received.map(eventPosition)).toEqual([...received.map(eventPosition)].sort(byPosition));
    await events.return!();
  });
});

it('the in-process bus refuses positions of an earlier process: its events went with it', async () => {
  const before = new InProcessEventBus();
  const position = await before.publish('orders', { n: 1 });
  await before.close();
  await new Promise((resolve) => setTimeout(resolve, 2));
  const after = new InProcessEventBus();
  await after.publish('orders', { n: 2 });
  await expect(refusal(after.resume('orders', position))).resolves.toHaveProperty('extensions.code', 'SUBSCRIPTION_POSITION_EXPIRED');
});

it('the in-process bus keeps a bounded log per channel', async () => {
  const bus = new InProcessEventBus({ retention: 100 });
  for (let n = 1; n <= 1000; n++) await bus.publish('bounded', { n });
  const { events } = await bus.read('bounded', '0-0', 10_000);
  expect(events.length).toBeGreaterThanOrEqual(100);
  expect(events.length).toBeLessThanOrEqual(110);
  expect(events.at(-1)!.payload).toEqual({ n: 1000 });
});

function byPosition(a: string | undefined, b: string | undefined): number {
  const [aMs, aSeq] = a!.split('-').map(BigInt) as [bigint, bigint];
  const [bMs, bSeq] = b!.split('-').map(BigInt) as [bigint, bigint];
  return aMs === bMs ? Number(aSeq - bSeq) : Number(aMs - bMs);
}
