import { consumeEvents, InProcessEventBus } from '../src';

describe('consumeEvents', () => {
  it('handles events one at a time in order; a failing one goes to onError and the next is still handled', async () => {
    const bus = new InProcessEventBus();
    const handled: number[] = [];
    const failed: number[] = [];
    let allHandled!: () => void;
    const done = new Promise<void>((resolve) => (allHandled = resolve));
    const consumer = consumeEvents<{ n: number }>(
      bus,
      'jobs',
      async ({ n }) => {
        if (n === 2) throw new Error('bad event');
        handled.push(n);
        if (n === 3) allHandled();
      },
      ({ n }) => failed.push(n),
    );
    for (const n of [1, 2, 3]) await bus.publish('jobs', { n });
    await done;
    expect(handled).toEqual([1, 3]);
    expect(failed).toEqual([2]);

    await consumer.stop();
    expect(bus.activeChannels).toBe(0);
    await bus.close();
  });
});
