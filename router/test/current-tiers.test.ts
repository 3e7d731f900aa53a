import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Identity } from '@supergraph/identity';
import { quietLogger } from '@supergraph/testing';
import { CurrentTiers, usersTierLookup } from '../src/current-tiers';

/**
 * What CurrentTiers does when the users subgraph cannot tell a tier (e2e/test/tier-at-once.test.ts
 * covers tiers that change): the request goes on at its credential's tier, unchanged.
 */
const caller: Identity = { kind: 'user', userId: randomUUID(), roles: ['USER'], tier: 'PRO', scopes: ['*'], via: 'jwt' };

test('with the users subgraph unreachable, a request goes on at the tier its token carries', async () => {
  // Port 9 (discard): nothing listens.
  const tiers = new CurrentTiers(
    usersTierLookup(() => 'http://127.0.0.1:9/graphql', 'secret'),
    undefined,
    quietLogger('router'),
  );
  expect(await tiers.current(caller)).toBe(caller);
  // The failure is remembered for a while: the next request does not wait for another attempt.
  expect(tiers.current(caller)).toBe(caller);
});

test('with the users subgraph hung, the lookup gives up at its timeout and the request goes on at its token tier', async () => {
  const hung = createServer(() => {});
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(hung.address() as AddressInfo).port}/graphql`;
    const tiers = new CurrentTiers(
      usersTierLookup(() => url, 'secret'),
      undefined,
      quietLogger('router'),
      { lookupTimeoutMs: 50 },
    );
    expect(await tiers.current(caller)).toBe(caller);
  } finally {
    hung.closeAllConnections();
    await new Promise((resolve) => hung.close(resolve));
  }
});
