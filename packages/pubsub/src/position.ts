/**
 * Where an event sits in its channel's log: `<milliseconds>-<sequence>`, the shape of a Redis
 * Streams id (the in-process bus makes ids of the same shape). Positions of one channel are
 * ordered; a client hands the last one it saw back as `after` to resume.
 */
const POSITION = /^(\d{1,20})-(\d{1,20})$/;

/** Before every event: the position of a channel that has none. */
export const START_POSITION = '0-0';

/** The position in canonical form (no leading zeros), or undefined when `text` is not one. */
export function canonicalPosition(text: string): string | undefined {
  const match = POSITION.exec(text);
  return match ? `${BigInt(match[1]!)}-${BigInt(match[2]!)}` : undefined;
}

/** Negative when `a` comes before `b`, 0 when they are the same, positive after. Both must be positions. */
export function comparePositions(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bMs, bSeq] = b.split('-').map(BigInt) as [bigint, bigint];
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

// Keyed by the event object, which the bus hands every subscriber in a process (as eventLoaders
// are): the payload types stay the publishers' own, and the position goes with the object.
const positions = new WeakMap<object, string>();

/** The position of an event a bus delivered (a subscription's `extensions.position`); undefined for anything else. */
export function eventPosition(event: unknown): string | undefined {
  return typeof event === 'object' && event !== null ? positions.get(event) : undefined;
}

export function recordPosition(event: unknown, position: string): void {
  if (typeof event === 'object' && event !== null) positions.set(event, position);
}
