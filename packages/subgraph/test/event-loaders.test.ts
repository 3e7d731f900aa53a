import { eventLoaders } from '../src/event-loaders';

describe('eventLoaders', () => {
  const database = {};
  let created = 0;
  const create = () => ({ n: ++created });

  it('gives every subscription receiving one event the same loaders, made once', () => {
    const loadersOf = eventLoaders<{ n: number }>();
    const event = {};
    const first = loadersOf(event, database, create);
    expect(loadersOf(event, database, create)).toBe(first);
    expect(created).toBe(1);
  });

  it('starts each new event with fresh loaders, so none sees data cached for an earlier one', () => {
    const loadersOf = eventLoaders<{ n: number }>();
    expect(loadersOf({}, database, create)).not.toBe(loadersOf({}, database, create));
  });

  it('keeps the loaders of two subgraph instances apart when they receive the same event', () => {
    const loadersOf = eventLoaders<{ n: number }>();
    const event = {};
    expect(loadersOf(event, {}, create)).not.toBe(loadersOf(event, {}, create));
  });
});
