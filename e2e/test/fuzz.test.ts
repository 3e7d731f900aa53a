import { randomBytes } from 'node:crypto';
import type { GraphQLSchema } from 'graphql';
import { errorCodes, graphql } from '@supergraph/testing';
import { describeFailure, fuzzRequest, introspect, runFuzz, TRANSPORTS, type FuzzFailure, type FuzzReport } from '@supergraph/testing/src/fuzz';
import { startPlatform, type Platform } from '../../bench/platform';
import { fuzzCaller } from './fuzz-caller';

/**
 * The fuzz suite's short run (issue 19): seeded requests built from the router's client schema —
 * valid selections with hostile arguments, broken documents, random variables — sent through the
 * whole platform (router, every subgraph, the Python one included, PostgreSQL, Redis, a chain) over
 * HTTP, graphql-ws and SSE, anonymous and signed in. No answer may be a 5xx, an internal error,
 * silence past the deadline, or show a secret, a stack trace or a file path; every service must be
 * healthy afterwards. FUZZ_SEED and FUZZ_COUNT replay or widen it; bench/fuzz.ts is the long run.
 */
jest.setTimeout(300_000);

const SEED = Number(process.env.FUZZ_SEED ?? 19);
const COUNT = Number(process.env.FUZZ_COUNT ?? 250);

/**
 * KNOWN: failures whose cause is known and reported but lies in the router's execution path, which
 * is being reworked. Each names its cause and the request that shows it; the run ignores what an
 * entry matches, and the entry's own test below fails once the cause is fixed: then remove both.
 */
const KNOWN: { cause: string; request: string; matches(failure: FuzzFailure): boolean }[] = [];

const secrets = { JWT_SECRET: `fuzz-jwt-${randomBytes(16).toString('hex')}`, ROUTER_SIGNING_SECRET: `fuzz-signing-${randomBytes(16).toString('hex')}` };
let platform: Platform;
let schema: GraphQLSchema;
let report: FuzzReport;

beforeAll(async () => {
  platform = await startPlatform(secrets);
  schema = await introspect(platform.graphqlUrl);
  const caller = await fuzzCaller(platform.graphqlUrl);
  const routerUrl = platform.router.url;
  report = await runFuzz(schema, {
    seed: SEED,
    count: COUNT,
    url: platform.graphqlUrl,
    authorizations: [caller.authorization],
    knownStrings: caller.knownStrings,
    secrets: { values: Object.values(secrets) },
    healthUrls: [
      `${routerUrl}/health`,
      `${routerUrl}/ready`,
      ...[platform.users.url, platform.projects.url, platform.payments.url, platform.blockchain.url, platform.aiUrl].map((url) => `${url}/health`),
    ],
  });
});
afterAll(() => platform?.stop());

test('the same seed makes the same requests', () => {
  for (const index of [0, 1, 57]) expect(fuzzRequest(schema, SEED, index)).toEqual(fuzzRequest(schema, SEED, index));
  expect(fuzzRequest(schema, SEED, 0).request).not.toEqual(fuzzRequest(schema, SEED + 1, 0).request);
});

test.each(TRANSPORTS)('over %s every request is answered in time, with no server error, internal error, secret, stack trace or path', (transport) => {
  expect(report.transports[transport]?.requests).toBe(COUNT);
  const unexpected = report.failures.filter((failure) => failure.transport === transport && !KNOWN.some((known) => known.matches(failure)));
  expect(unexpected.map((failure) => describeFailure(failure))).toEqual([]);
});

// Jest refuses an empty table: the entries' tests exist while there are entries.
if (KNOWN.length > 0)
  describe.each(KNOWN)('KNOWN: $cause', ({ request }) => {
    test.failing('is fixed (then remove it from KNOWN)', async () => {
      const response = await graphql(platform.graphqlUrl, request);
      expect(errorCodes(response)).not.toContain('INTERNAL_SERVER_ERROR');
    });
  });

test('every service is healthy and ready after the run', () => {
  expect(report.unhealthy).toEqual([]);
});
