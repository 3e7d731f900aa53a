import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import { asRouter, errorCodes, subscribeMany, type UntypedData } from '@supergraph/testing';
import { startUsersHarness, userIdentity, type UsersHarness } from './harness';

let users: UsersHarness;
beforeAll(async () => {
  users = await startUsersHarness({ ADMIN_EMAILS: 'root@example.com' });
});
afterAll(() => users?.stop());

const REGISTER = `mutation ($email: String!, $password: String!, $displayName: String) {
  register(email: $email, password: $password, displayName: $displayName) { token user { id email tier roles } }
}`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token user { id } } }`;

async function register(email: string, password = 'correct horse battery') {
  const response = await users.call(REGISTER, { email, password });
  expect(response.errors).toBeUndefined();
  return response.data!.register as { token: string; user: { id: string; email: string; tier: string; roles: string[] } };
}

const countUsers = () => users.db.prisma.user.count();

describe('registration and login', () => {
  it('registers a user on the FREE tier with the USER role and signs them in', async () => {
    const { token, user } = await register('Ada@Example.com');
    expect(user).toMatchObject({ email: 'ada@example.com', tier: 'FREE', roles: ['USER'] });
    expect(token.split('.')).toHaveLength(3);
    const stored = await users.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.passwordHash).toMatch(/^scrypt\$/);
    expect(stored.passwordHash).not.toContain('correct horse');
  });

  it('gives the ADMIN role to emails listed in ADMIN_EMAILS', async () => {
    const { user } = await register('root@example.com');
    expect(user.roles).toEqual(['USER', 'ADMIN']);
  });

  it.each([
    ['not-an-email', 'long enough password', 'EMAIL_INVALID'],
    ['short@example.com', 'short', 'PASSWORD_TOO_SHORT'],
    ['long@example.com', 'x'.repeat(300), 'PASSWORD_TOO_LONG'],
  ])('refuses %s / bad password with %s and writes nothing', async (email, password, code) => {
    const before = await countUsers();
    const response = await users.call(REGISTER, { email, password });
    expect(errorCodes(response)).toEqual([code]);
    expect(response.data).toBeNull();
    expect(await countUsers()).toBe(before);
  });

  it('refuses a duplicate email, even when registrations race', async () => {
    await register('twice@example.com');
    const before = await countUsers();
    const attempts = await Promise.all([1, 2, 3].map(() => users.call(REGISTER, { email: 'TWICE@example.com', password: 'another password' })));
    for (const attempt of attempts) expect(errorCodes(attempt)).toEqual(['EMAIL_TAKEN']);
    expect(await countUsers()).toBe(before);
  });

  it('logs in with the right password and refuses a wrong one or an unknown email alike', async () => {
    const { user } = await register('login@example.com', 'the right password');
    const ok = await users.call(LOGIN, { email: 'login@example.com', password: 'the right password' });
    expect((ok.data?.login as { user: { id: string } }).user.id).toBe(user.id);
    const wrong = await users.call(LOGIN, { email: 'login@example.com', password: 'the wrong password' });
    const unknown = await users.call(LOGIN, { email: 'nobody@example.com', password: 'the right password' });
    expect(errorCodes(wrong)).toEqual(['INVALID_CREDENTIALS']);
    expect(unknown.errors?.[0]).toEqual(wrong.errors?.[0]);
  });
});

describe('Sign-In with Ethereum', () => {
  const NONCE = 'mutation { siweNonce { nonce domain expiresAt } }';
  const SIGN_IN = `mutation ($message: String!, $signature: String!) {
    signInWithEthereum(message: $message, signature: $signature) { token user { id walletAddresses } }
  }`;
  const LINK = `mutation ($message: String!, $signature: String!) { linkWallet(message: $message, signature: $signature) { id walletAddresses } }`;

  async function signedMessage(account: PrivateKeyAccount, overrides: { domain?: string } = {}) {
    const { data } = await users.call(NONCE);
    const { nonce, domain } = data!.siweNonce as { nonce: string; domain: string };
    const message = createSiweMessage({
      domain: overrides.domain ?? domain,
      address: account.address,
      statement: 'Sign in to the supergraph',
      uri: `http://${domain}`,
      version: '1',
      chainId: 1,
      nonce,
    });
    return { message, nonce, signature: await account.signMessage({ message }) };
  }

  it('creates an account for a new wallet and signs the same account in next time', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const first = await users.call(SIGN_IN, await signedMessage(account));
    expect(first.errors).toBeUndefined();
    const user = (first.data!.signInWithEthereum as { user: { id: string; walletAddresses: string[] } }).user;
    expect(user.walletAddresses).toEqual([account.address.toLowerCase()]);
    const second = await users.call(SIGN_IN, await signedMessage(account));
    expect((second.data!.signInWithEthereum as { user: { id: string } }).user.id).toBe(user.id);
  });

  it('refuses a replayed message: each nonce signs in once', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const signed = await signedMessage(account);
    const [a, b] = await Promise.all([users.call(SIGN_IN, signed), users.call(SIGN_IN, signed)]);
    const codes = [...errorCodes(a), ...errorCodes(b)];
    expect(codes).toEqual(['SIWE_NONCE_USED']);
    const replay = await users.call(SIGN_IN, signed);
    expect(errorCodes(replay)).toEqual(['SIWE_NONCE_USED']);
    expect(await users.db.prisma.wallet.count({ where: { address: account.address.toLowerCase() } })).toBe(1);
  });

  it('refuses a signature by another key, writes nothing and leaves the nonce unspent', async () => {
    const claimed = privateKeyToAccount(generatePrivateKey());
    const { message, nonce } = await signedMessage(claimed);
    const signature = await privateKeyToAccount(generatePrivateKey()).signMessage({ message });
    const before = await countUsers();
    const response = await users.call(SIGN_IN, { message, signature });
    expect(errorCodes(response)).toEqual(['SIWE_INVALID_SIGNATURE']);
    expect(await countUsers()).toBe(before);
    expect((await users.db.prisma.siweNonce.findUniqueOrThrow({ where: { nonce } })).consumedAt).toBeNull();
  });

  it('refuses an expired nonce, a nonce it never issued, a foreign domain and garbage', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const expired = await signedMessage(account);
    await users.db.prisma.siweNonce.update({ where: { nonce: expired.nonce }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(errorCodes(await users.call(SIGN_IN, expired))).toEqual(['SIWE_NONCE_EXPIRED']);

    const message = createSiweMessage({
      domain: users.config.users.siwe.domain,
      address: account.address,
      uri: 'http://localhost',
      version: '1',
      chainId: 1,
      nonce: 'neverissued123',
    });
    expect(errorCodes(await users.call(SIGN_IN, { message, signature: await account.signMessage({ message }) }))).toEqual(['SIWE_NONCE_INVALID']);

    expect(errorCodes(await users.call(SIGN_IN, await signedMessage(account, { domain: 'evil.example' })))).toEqual(['SIWE_INVALID_MESSAGE']);
    expect(errorCodes(await users.call(SIGN_IN, { message: 'hello', signature: '0x00' }))).toEqual(['SIWE_INVALID_MESSAGE']);
  });

  it('links a second wallet to a signed-in user, but not a wallet that belongs to someone else', async () => {
    const { user } = await register('wallets@example.com');
    const wallet = privateKeyToAccount(generatePrivateKey());
    const linked = await users.call(LINK, await signedMessage(wallet), userIdentity(user.id));
    expect((linked.data!.linkWallet as { walletAddresses: string[] }).walletAddresses).toEqual([wallet.address.toLowerCase()]);

    const other = await register('other@example.com');
    const stolen = await users.call(LINK, await signedMessage(wallet), userIdentity(other.user.id));
    expect(errorCodes(stolen)).toEqual(['WALLET_ALREADY_LINKED']);
    expect(errorCodes(await users.call(LINK, await signedMessage(wallet)))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('API keys', () => {
  const CREATE = `mutation ($name: String!, $scopes: [String!]!) { createApiKey(name: $name, scopes: $scopes) { secret apiKey { id prefix scopes revokedAt } } }`;
  const PRINCIPAL = `query ($secret: String!) { apiKeyPrincipal(secret: $secret) { userId scopes tier } }`;

  it('shows the secret once, stores only its hash, resolves it for the router until revoked', async () => {
    const { user } = await register('keys@example.com');
    const me = userIdentity(user.id);
    const created = await users.call(CREATE, { name: 'ci', scopes: ['read'] }, me);
    const { secret, apiKey } = created.data!.createApiKey as { secret: string; apiKey: { id: string; prefix: string } };
    expect(secret).toMatch(/^sgk_[\w-]{43}$/);
    expect(secret.startsWith(apiKey.prefix)).toBe(true);
    const row = await users.db.prisma.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    expect(JSON.stringify(row)).not.toContain(secret);

    const principal = await users.call(PRINCIPAL, { secret }, { kind: 'service' });
    expect(principal.data!.apiKeyPrincipal).toEqual({ userId: user.id, scopes: ['read'], tier: 'FREE' });
    // Only the router (service identity) may resolve keys.
    expect(errorCodes(await users.call(PRINCIPAL, { secret }, me))).toEqual(['FORBIDDEN']);

    const revoked = await users.call(`mutation ($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: apiKey.id }, me);
    expect((revoked.data!.revokeApiKey as { revokedAt: string }).revokedAt).toBeTruthy();
    expect((await users.call(PRINCIPAL, { secret }, { kind: 'service' })).data!.apiKeyPrincipal).toBeNull();
  });

  it('refuses unknown scopes, the admin scope for non-admins, and keys minted by keys', async () => {
    const { user } = await register('scopes@example.com');
    const before = await users.db.prisma.apiKey.count();
    expect(errorCodes(await users.call(CREATE, { name: 'x', scopes: ['root'] }, userIdentity(user.id)))).toEqual(['INVALID_SCOPE']);
    expect(errorCodes(await users.call(CREATE, { name: 'x', scopes: ['admin'] }, userIdentity(user.id)))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await users.call(CREATE, { name: 'x', scopes: ['read'] }, userIdentity(user.id, ['USER'], ['write'])))).toEqual(['FORBIDDEN']);
    expect(await users.db.prisma.apiKey.count()).toBe(before);
  });
});

describe('administration', () => {
  const SET_TIER = `mutation ($id: ID!, $tier: Tier!) { setUserTier(userId: $id, tier: $tier) { id tier } }`;
  const SET_ROLES = `mutation ($id: ID!, $roles: [Role!]!) { setUserRoles(userId: $id, roles: $roles) { id roles } }`;
  const USERS = `query ($first: Int!, $after: String) { users(first: $first, after: $after) { edges { cursor node { id email } } pageInfo { hasNextPage endCursor } } }`;

  it('lets admins change tiers and roles; refuses everyone else and changes nothing', async () => {
    const { user } = await register('customer@example.com');
    const admin = userIdentity('00000000-0000-4000-8000-000000000001', ['USER', 'ADMIN']);

    for (const identity of [userIdentity(user.id), { kind: 'anonymous' as const }]) {
      const denied = await users.call(SET_TIER, { id: user.id, tier: 'ENTERPRISE' }, identity);
      expect(errorCodes(denied)).toEqual([identity.kind === 'user' ? 'FORBIDDEN' : 'UNAUTHENTICATED']);
    }
    expect((await users.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).tier).toBe('FREE');

    expect((await users.call(SET_TIER, { id: user.id, tier: 'PRO' }, admin)).data!.setUserTier).toEqual({ id: user.id, tier: 'PRO' });
    expect((await users.call(SET_ROLES, { id: user.id, roles: ['ADMIN'] }, admin)).data!.setUserRoles).toEqual({ id: user.id, roles: ['USER', 'ADMIN'] });
    expect(errorCodes(await users.call(SET_TIER, { id: '00000000-0000-4000-8000-00000000dead', tier: 'PRO' }, admin))).toEqual(['NOT_FOUND']);
  });

  it('pages through every user with cursors, admins only', async () => {
    const admin = userIdentity('00000000-0000-4000-8000-000000000001', ['USER', 'ADMIN']);
    for (const n of [1, 2, 3]) await register(`page${n}@example.com`);
    const total = await countUsers();
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: UntypedData = (await users.call(USERS, { first: 2, after }, admin)).data!.users;
      seen.push(...page.edges.map((edge: { node: { id: string } }) => edge.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(errorCodes(await users.call(USERS, { first: 2 }, userIdentity(seen[0]!)))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await users.call(USERS, { first: 1000 }, admin))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await users.call(USERS, { first: 2, after: 'garbage' }, admin))).toEqual(['BAD_USER_INPUT']);
  });

  it('serves pages up to USERS_MAX_PAGE_SIZE and refuses larger ones', async () => {
    const small = await startUsersHarness({ USERS_MAX_PAGE_SIZE: '2' });
    try {
      const admin = userIdentity('00000000-0000-4000-8000-000000000001', ['USER', 'ADMIN']);
      await small.db.prisma.user.createMany({ data: [1, 2, 3].map((n) => ({ email: `cap${n}@example.com`, displayName: `cap${n}` })) });
      const page: UntypedData = (await small.call(USERS, { first: 2 }, admin)).data!.users;
      expect(page.edges).toHaveLength(2);
      expect(page.pageInfo.hasNextPage).toBe(true);
      const tooLarge = await small.call(USERS, { first: 3 }, admin);
      expect(tooLarge.data).toEqual({ users: null });
      expect(tooLarge.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    } finally {
      await small.stop();
    }
  });
});

describe('subscriptions', () => {
  const SET_TIER = `mutation ($id: ID!, $tier: Tier!) { setUserTier(userId: $id, tier: $tier) { tier } }`;
  const admin = userIdentity('00000000-0000-4000-8000-000000000001', ['USER', 'ADMIN']);

  it('loads the account once per event, however many subscriptions receive it', async () => {
    const { user } = await register('watched@example.com');
    const { user: bystander } = await register('bystander@example.com');
    const subscriptions = subscribeMany<{ accountUpdated: { tier: string } }>(users.url, asRouter(userIdentity(user.id), users.config.routerSigningSecret), {
      query: 'subscription { accountUpdated { id tier } }',
    });
    const hasTier = (tier: string) => (data: { accountUpdated: { tier: string } }) => data.accountUpdated.tier === tier;
    try {
      const tiers = ['PRO', 'ENTERPRISE', 'PRO', 'ENTERPRISE', 'PRO'];
      await subscriptions.untilLive(async () => {
        const tier = tiers.shift()!;
        expect((await users.call(SET_TIER, { id: user.id, tier }, admin)).errors).toBeUndefined();
        return hasTier(tier);
      });
      const withoutSubscribers = await users.countSqlStatements(() => users.call(SET_TIER, { id: bystander.id, tier: 'ENTERPRISE' }, admin));
      const withSubscribers = await users.countSqlStatements(async () => {
        await users.call(SET_TIER, { id: user.id, tier: 'FREE' }, admin);
        return subscriptions.everyoneSees(hasTier('FREE'), 10_000);
      });
      expect(withSubscribers.result).toBe(true);
      expect(withSubscribers.count).toBe(withoutSubscribers.count + 1);
    } finally {
      await subscriptions.dispose();
    }
  });
});

describe('federation', () => {
  it('resolves N user representations with one SQL query', async () => {
    const ids = await Promise.all([1, 2, 3, 4, 5].map(async (n) => (await register(`entity${n}@example.com`)).user.id));
    const statements = await users.countSqlStatements(() =>
      users.call(
        `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id displayName tier } } }`,
        { representations: [...ids, 'not-a-uuid'].map((id) => ({ __typename: 'User', id })) },
        { kind: 'service' },
      ),
    );
    expect(statements.result.data!._entities).toEqual([...ids.map((id) => expect.objectContaining({ id })), null]);
    expect(statements.count).toBe(1);
  });

  it('hides email from other users but shows it to the user themself', async () => {
    const { user } = await register('private@example.com');
    const { user: stranger } = await register('stranger@example.com');
    const query = `query ($id: ID!) { user(id: $id) { email } }`;
    expect((await users.call(query, { id: user.id }, userIdentity(user.id))).data!.user).toEqual({ email: 'private@example.com' });
    expect((await users.call(query, { id: user.id }, userIdentity(stranger.id))).data!.user).toEqual({ email: null });
  });
});

describe('router signature', () => {
  it('refuses requests without a valid router signature, before any resolver runs', async () => {
    const headers = { 'content-type': 'application/json' };
    const body = JSON.stringify({ query: '{ me { id } }' });
    const unsigned = await fetch(users.url, { method: 'POST', headers, body });
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as UntypedData).errors[0].extensions.code).toBe('UNAUTHENTICATED');

    const forgedIdentity = Buffer.from(
      JSON.stringify({ kind: 'user', userId: 'x', roles: ['ADMIN'], tier: 'PRO', scopes: ['*'], via: 'jwt', exp: 9999999999 }),
    ).toString('base64url');
    const forged = await fetch(users.url, {
      method: 'POST',
      headers: { ...headers, 'x-supergraph-identity': forgedIdentity, 'x-supergraph-signature': 'v1=' + '0'.repeat(64) },
      body,
    });
    const forgedBody = (await forged.json()) as UntypedData;
    expect(forged.status).toBe(401);
    expect(forgedBody.data).toBeUndefined();
    expect(forgedBody.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
