import { auditServer } from 'graphql-http';
import { errorCodes, graphql } from '@supergraph/testing';
import { startPlatform, type PlatformHarness } from './harness';

let platform: PlatformHarness;
beforeAll(async () => {
  platform = await startPlatform({ RATE_LIMIT_PER_MINUTE: '0' });
});
afterAll(() => platform?.stop());

describe('GraphQL over HTTP (graphql-http audit)', () => {
  it('passes every MUST; the SHOULDs and MAYs it misses are the documented ones', async () => {
    const results = await auditServer({ url: platform.graphqlUrl });
    const failed = results.filter((result) => result.status !== 'ok');
    expect(failed.filter((result) => result.status === 'error').map((result) => result.name)).toEqual([]);
    // Listed in router/README.md with the reason: Apollo Server answers 400 for documents that do not
    // parse or validate even to legacy application/json clients; GETs without a preflight header are CSRF-blocked.
    expect(failed.map((result) => result.id).sort()).toEqual(['572B', '5A70', '6A70', '7B9B', 'D6D5', 'FDE2']);
  });

  it('serves queries over GET with application/graphql-response+json', async () => {
    const response = await fetch(`${platform.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/graphql-response+json', 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/graphql-response\+json/);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('refuses mutations over GET', async () => {
    const response = await fetch(`${platform.graphqlUrl}?query=${encodeURIComponent('mutation { siweNonce { nonce } }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(405);
  });
});

describe('CSRF prevention', () => {
  it('refuses simple requests that a browser would send cross-site without a preflight', async () => {
    const simpleGet = await fetch(`${platform.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`);
    expect(simpleGet.status).toBe(400);
    expect(await simpleGet.text()).toMatch(/CSRF/);
    const simplePost = await fetch(platform.graphqlUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ __typename }"}' });
    expect(simplePost.status).toBe(400);
  });

  it('accepts JSON POSTs and requests with a preflight-forcing header', async () => {
    expect((await graphql(platform.graphqlUrl, '{ __typename }')).status).toBe(200);
    const withHeader = await fetch(`${platform.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(withHeader.status).toBe(200);
  });
});

describe('request size', () => {
  it('answers 413 to a body over MAX_BODY_BYTES, declared or streamed', async () => {
    const response = await graphql(platform.graphqlUrl, `{ __typename } # ${'x'.repeat(platform.config.maxBodyBytes)}`);
    expect(response.status).toBe(413);
    expect(errorCodes(response)).toEqual(['REQUEST_TOO_LARGE']);
  });
});

describe('introspection', () => {
  it('is on outside production', async () => {
    const response = await graphql(platform.graphqlUrl, '{ __schema { queryType { name } } }');
    expect(response.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('is off in production', async () => {
    const production = await startPlatform({ NODE_ENV: 'production', RATE_LIMIT_PER_MINUTE: '0' });
    try {
      const response = await graphql(production.graphqlUrl, '{ __schema { queryType { name } } }');
      expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(response.errors![0]!.message).toMatch(/introspection/i);
      expect((await graphql(production.graphqlUrl, '{ __typename }')).data).toEqual({ __typename: 'Query' });
    } finally {
      await production.stop();
    }
  });
});
