import { request as httpRequest } from 'node:http';
import { SignJWT } from 'jose';
import { CreateApiKeyDocument, LoginDocument, MeDocument, RegisterDocument, RevokeApiKeyDocument } from '../../clients/generated/graphql';
import { bearer, errorCodes, execute, graphql } from '@supergraph/testing';
import { startPlatform, type PlatformHarness } from './harness';

let platform: PlatformHarness;
beforeAll(async () => {
  platform = await startPlatform({ API_KEY_CACHE_MS: '0' });
});
afterAll(() => platform?.stop());

async function signUp(email: string) {
  const password = 'a long enough password';
  const registered = await execute(platform.graphqlUrl, RegisterDocument, { email, password });
  expect(registered.errors).toBeUndefined();
  const login = await execute(platform.graphqlUrl, LoginDocument, { email, password });
  return { id: registered.data!.register.user.id, token: login.data!.login.token };
}

describe('through the router', () => {
  it('registers, logs in and reads me with the token', async () => {
    const { id, token } = await signUp('e2e@example.com');
    const me = await execute(platform.graphqlUrl, MeDocument, {}, bearer(token));
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toMatchObject({ id, email: 'e2e@example.com', tier: 'FREE', roles: ['USER'], walletAddresses: [] });
  });

  it('authenticates API keys and stops honouring them once revoked', async () => {
    const { token } = await signUp('apikey@example.com');
    const created = await execute(platform.graphqlUrl, CreateApiKeyDocument, { name: 'script', scopes: ['read'] }, bearer(token));
    const { secret, apiKey } = created.data!.createApiKey;
    for (const headers of [bearer(secret), { 'x-api-key': secret }]) {
      const me = await execute(platform.graphqlUrl, MeDocument, {}, headers);
      expect(me.data!.me?.email).toBe('apikey@example.com');
    }
    // A read-only key cannot write.
    const write = await execute(platform.graphqlUrl, CreateApiKeyDocument, { name: 'more', scopes: ['read'] }, bearer(secret));
    expect(errorCodes(write)).toEqual(['FORBIDDEN']);

    await execute(platform.graphqlUrl, RevokeApiKeyDocument, { id: apiKey.id }, bearer(token));
    const revoked = await execute(platform.graphqlUrl, MeDocument, {}, bearer(secret));
    expect(revoked.status).toBe(401);
    expect(errorCodes(revoked)).toEqual(['UNAUTHENTICATED']);
  });

  it("plans with Apollo's planner what Hive's refuses: an integer literal past 64 bits is a valid ID", async () => {
    const { token } = await signUp('bigint@example.com');
    const response = await graphql(platform.graphqlUrl, '{ user(id: 99999999999999999999) { id } }', {}, bearer(token));
    expect(errorCodes(response)).not.toContain('INTERNAL_SERVER_ERROR');
    expect(response.data).toEqual({ user: null });
  });

  it('keeps internal fields out of the public schema', async () => {
    const response = await graphql(platform.graphqlUrl, '{ apiKeyPrincipal(secret: "sgk_x") { userId } }');
    expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('answers anonymous callers of protected fields with UNAUTHENTICATED', async () => {
    const me = await execute(platform.graphqlUrl, MeDocument, {});
    expect(errorCodes(me)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('bad credentials get UNAUTHENTICATED, never a 500', () => {
  const key = (secret: string) => new TextEncoder().encode(secret);
  const claims = { roles: ['ADMIN'], tier: 'ENTERPRISE' };
  const valid = () =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('00000000-0000-4000-8000-000000000001')
      .setIssuer(platform.config.jwt.issuer)
      .setAudience(platform.config.jwt.audience)
      .setIssuedAt();

  it.each<[string, () => Promise<string>, RegExp]>([
    [
      'expired',
      () =>
        valid()
          .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
          .sign(key(platform.config.jwt.secret)),
      /expired/,
    ],
    ['signed with another secret', () => valid().setExpirationTime('1h').sign(key('not the real secret at all')), /signature/],
    [
      'alg none',
      async () => {
        const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
        return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...claims, sub: 'x', exp: 9999999999, iss: platform.config.jwt.issuer, aud: platform.config.jwt.audience })}.`;
      },
      /algorithm|malformed/,
    ],
    ['malformed', async () => 'not.a.jwt', /malformed/],
    ['for another audience', () => valid().setAudience('someone-else').setExpirationTime('1h').sign(key(platform.config.jwt.secret)), /aud/],
  ])('%s token', async (_label, token, message) => {
    const response = await execute(platform.graphqlUrl, MeDocument, {}, bearer(await token()));
    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors![0]!.message).toMatch(message);
  });

  it('a malformed Authorization header or unknown API key', async () => {
    for (const headers of [{ authorization: 'Basic abc' }, { 'x-api-key': 'sgk_unknown' }] as Record<string, string>[]) {
      const response = await execute(platform.graphqlUrl, MeDocument, {}, headers);
      expect(response.status).toBe(401);
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    }
  });
});

describe('operations endpoints', () => {
  it('/health answers while the process is up; /ready checks every subgraph', async () => {
    expect((await fetch(`${platform.routerUrl}/health`)).status).toBe(200);
    const ready = await fetch(`${platform.routerUrl}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', subgraphs: { users: { ok: true } } });
  });

  it('serves Apollo Sandbox at / outside production', async () => {
    const page = await fetch(`${platform.routerUrl}/`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('EmbeddedSandbox');
  });

  it('refuses bodies over the size limit with 413', async () => {
    const response = await graphql(platform.graphqlUrl, `{ __typename } # ${'x'.repeat(platform.config.maxBodyBytes)}`);
    expect(response.status).toBe(413);
    expect(errorCodes(response)).toEqual(['REQUEST_TOO_LARGE']);
  });
});

describe('graceful shutdown', () => {
  it('finishes a request already in flight, then stops', async () => {
    const separate = await startPlatform();
    const body = JSON.stringify({ query: '{ __typename }' });
    // Send the headers and half of the body, so the request is in flight when the stop begins.
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = httpRequest(
        `${separate.graphqlUrl}`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (response) => {
          let text = '';
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        },
      );
      request.on('error', reject);
      request.write(body.slice(0, 10));
      setTimeout(() => request.end(body.slice(10)), 300);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopped = separate.stop();
    const { status, text } = await answer;
    expect(status).toBe(200);
    expect(JSON.parse(text)).toEqual({ data: { __typename: 'Query' } });
    await stopped;
    await expect(fetch(`${separate.routerUrl}/health`)).rejects.toThrow();
  });
});
