/**
 * The fuzz suite's long run (the short one is e2e/test/fuzz.test.ts): COUNT seeded requests over
 * each transport — HTTP, graphql-ws, SSE — through the whole platform, then every service's health.
 * Prints the figures as JSON (requests, outcomes and failures by kind per transport, duration, the
 * router's RSS and heap after a full GC before and after) and each failure, reproducibly, on stderr.
 *
 *   node --import tsx bench/fuzz.ts [--seed 19] [--count 10000] [--executor router|gateway]
 *
 * The platform is bench/platform.ts's; the router that is fuzzed runs in a process of its own
 * (bench/service-process.ts) in front of those subgraphs, so its memory is measured alone.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_CHANNEL_PREFIX } from '@supergraph/testing';
import { describeFailure, introspect, runFuzz, type FailureKind } from '@supergraph/testing/src/fuzz';
import { fuzzCaller } from '../e2e/test/fuzz-caller';
import { forkService } from './forked-service';
import { REDIS_URL, startPlatform } from './platform';

const option = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1]! : fallback;
};
const SEED = Number(option('seed', '19'));
const COUNT = Number(option('count', '10000'));
/** QUERY_EXECUTOR of the fuzzed router: ours (`router`) or stock @apollo/gateway's (`gateway`). */
const EXECUTOR = option('executor', 'router');

const megabytes = (bytes: number) => Number((bytes / 1024 / 1024).toFixed(1));

async function main(): Promise<void> {
  const secrets = { JWT_SECRET: `fuzz-jwt-${randomBytes(16).toString('hex')}`, ROUTER_SIGNING_SECRET: `fuzz-signing-${randomBytes(16).toString('hex')}` };
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-fuzz-'));
  const platform = await startPlatform(secrets);
  try {
    const subgraphs = {
      users: `${platform.users.url}/graphql`,
      projects: `${platform.projects.url}/graphql`,
      payments: `${platform.payments.url}/graphql`,
      blockchain: `${platform.blockchain.url}/graphql`,
      ai: `${platform.aiUrl}/graphql`,
    };
    const router = await forkService('router', {
      ...secrets,
      ...Object.fromEntries(Object.entries(subgraphs).map(([name, url]) => [`SUBGRAPH_${name.toUpperCase()}_URL`, url])),
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'error',
      ROUTER_PORT: '0',
      RATE_LIMIT_PER_MINUTE: '0',
      REDIS_URL,
      EVENT_CHANNEL_PREFIX,
      QUERY_EXECUTOR: EXECUTOR,
    });
    try {
      const url = `${router.url}/graphql`;
      const schema = await introspect(url);
      const caller = await fuzzCaller(url);
      const before = await router.memory();
      const started = Date.now();
      const report = await runFuzz(schema, {
        seed: SEED,
        count: COUNT,
        url,
        authorizations: [caller.authorization],
        knownStrings: caller.knownStrings,
        progress: (transport, answered) => answered % 1000 === 0 && console.error(`${transport}: ${answered} of ${COUNT}`),
        secrets: { values: Object.values(secrets) },
        healthUrls: [`${router.url}/health`, `${router.url}/ready`, ...Object.values(subgraphs).map((subgraph) => subgraph.replace(/\/graphql$/, '/health'))],
      });
      const seconds = Math.round((Date.now() - started) / 1000);
      const after = await router.memory();
      for (const failure of report.failures) console.error(`${describeFailure(failure)}\n`);
      const failuresByKind: Partial<Record<FailureKind, number>> = {};
      for (const failure of report.failures) for (const kind of failure.kinds) failuresByKind[kind] = (failuresByKind[kind] ?? 0) + 1;
      console.log(
        JSON.stringify(
          {
            seed: SEED,
            countPerTransport: COUNT,
            executor: EXECUTOR,
            transports: report.transports,
            failedRequests: report.failures.length,
            failuresByKind,
            unhealthy: report.unhealthy,
            routerRssMb: { before: megabytes(before.rss), after: megabytes(after.rss) },
            routerHeapUsedMb: { before: megabytes(before.heapUsed), after: megabytes(after.heapUsed) },
            seconds,
          },
          null,
          2,
        ),
      );
    } finally {
      await router.stop();
    }
  } finally {
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
