import { ANONYMOUS, IdentitySigner, verifyIdentity, type Identity } from '../src';

const SECRET = 'test-signing-secret';
const user = (userId: string): Identity => ({ kind: 'user', userId, roles: ['USER'], tier: 'PRO', scopes: [], via: 'jwt' });
const alice = user('7f1c7f0e-0000-4000-8000-000000000001');

describe('IdentitySigner', () => {
  it('signs headers the subgraphs accept, for every kind of identity', () => {
    const signer = new IdentitySigner(SECRET);
    for (const identity of [alice, ANONYMOUS]) {
      const headers = signer.sign(identity);
      expect(verifyIdentity(headers['x-supergraph-identity'], headers['x-supergraph-signature'], SECRET)).toEqual(identity);
    }
  });

  it('reuses one signature per identity until half its lifetime has passed, then signs afresh', () => {
    let now = Date.parse('2026-11-27T10:00:00Z');
    const signer = new IdentitySigner(SECRET, 60, 100, () => now);
    const first = signer.sign(alice);
    now += 29_000;
    expect(signer.sign({ ...alice })).toBe(first);
    expect(signer.sign(ANONYMOUS)).not.toEqual(first);
    now += 2_000;
    const renewed = signer.sign(alice);
    expect(renewed).not.toEqual(first);
    // The renewed header still has more than half its lifetime ahead of it.
    expect(() => verifyIdentity(renewed['x-supergraph-identity'], renewed['x-supergraph-signature'], SECRET, now + 30_000)).not.toThrow();
  });

  it('never hands one identity another identity’s headers', () => {
    const signer = new IdentitySigner(SECRET, 60, 2);
    const bob = user('7f1c7f0e-0000-4000-8000-000000000002');
    const carol = user('7f1c7f0e-0000-4000-8000-000000000003');
    for (const identity of [alice, bob, carol, alice, bob]) {
      const headers = signer.sign(identity);
      expect(verifyIdentity(headers['x-supergraph-identity'], headers['x-supergraph-signature'], SECRET)).toEqual(identity);
    }
  });
});
