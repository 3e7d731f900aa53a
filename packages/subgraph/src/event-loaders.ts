/**
 * Loaders shared by every subscription that receives one event.
 *
 * A subscription's context lives as long as the subscription, but each event is a new moment: its
 * fields must not be answered from data cached for an earlier event. Building fresh loaders per
 * subscription per event costs a query per subscriber, though: 1,000 subscribers to one change,
 * 1,000 identical SELECTs. The event bus hands every subscriber in a process the same event object,
 * so loaders keyed by that object serve them all and the event costs one query per loader. They
 * are dropped with the event (weak keys), so nothing outlives it.
 *
 * Share only loaders that hold data: permission checks must stay outside them, in the resolvers,
 * since subscribers with different identities receive the same event.
 */
export type EventLoaders<TLoaders> = (event: object, source: object, create: () => TLoaders) => TLoaders;

/**
 * A store of one subgraph's per-event loaders. `source` is what the loaders read from (the
 * subgraph instance's database client): a process running two instances of a subgraph on one bus
 * (tests do) gives each its own loaders for the same event. `create` runs once per event and source.
 */
export function eventLoaders<TLoaders>(): EventLoaders<TLoaders> {
  const byEvent = new WeakMap<object, WeakMap<object, TLoaders>>();
  return (event, source, create) => {
    let bySource = byEvent.get(event);
    if (!bySource) byEvent.set(event, (bySource = new WeakMap()));
    let loaders = bySource.get(source);
    if (!loaders) bySource.set(source, (loaders = create()));
    return loaders;
  };
}
