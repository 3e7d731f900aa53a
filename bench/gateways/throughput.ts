/**
 * Gateway throughput on the public graphql-gateways-benchmark workload: our router (with and
 * without sharing identical in-flight operations), stock @apollo/gateway and Hive Gateway over the same four subgraphs, one after another in one run,
 * each loaded by autocannon with a fixed number of connections after a warm-up. Every response
 * is compared with the expected body; mismatches are reported, not ignored.
 *
 *   node --import tsx bench/gateways/throughput.ts [--duration 60] [--warmup 10] [--connections 50] [--only ours,ours-unshared,ours-gateway-executor,ours-apollo-planner,apollo,hive,hive-router-runtime]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuSecondsOfTree, GATEWAYS, load, option, peakRssKb, query, startBenchSubgraphs, subgraphCalls, waitUntilServing } from './harness';

export interface GatewayResult {
  gateway: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  peakRssMb: number;
  /** The gateway's CPU time (all its processes) per request: how much work one request costs it, whatever the machine's load. */
  cpuMsPerRequest: number;
  subgraphCallsPerRequest: number;
  requests: number;
  mismatches: number;
  errors: number;
}

export async function runThroughput(options: { duration: number; warmup: number; connections: number; only: string[] }): Promise<GatewayResult[]> {
  // The subgraphs get a process (and event loop) of their own, apart from the load generator.
  const subgraphs = await startBenchSubgraphs();
  const { supergraphPath } = subgraphs;

  const body = JSON.stringify({ query: readFileSync(join(__dirname, 'query.graphql'), 'utf8'), operationName: 'TestQuery' });
  const results: GatewayResult[] = [];
  let expected: string | undefined;
  try {
    for (const [index, name] of options.only.entries()) {
      const port = 4200 + index;
      const url = `http://127.0.0.1:${port}/graphql`;
      const child = GATEWAYS[name]!(port, supergraphPath);
      try {
        await waitUntilServing(url);
        const reference = await query(url, body);
        const parsed = JSON.parse(reference) as { errors?: unknown; data?: unknown };
        if (parsed.errors || !parsed.data) throw new Error(`${name} answered with errors: ${reference.slice(0, 500)}`);
        // Every gateway must return the same data; the first one sets what is expected.
        const canonical = JSON.stringify(parsed);
        expected ??= canonical;
        if (canonical !== expected) throw new Error(`${name} returned different data from the others`);

        await load(url, body, options.connections, options.warmup, reference);
        const callsBefore = await subgraphCalls(subgraphs.urls);
        const cpuBefore = cpuSecondsOfTree(child.pid!);
        const run = await load(url, body, options.connections, options.duration, reference);
        const cpuSeconds = cpuSecondsOfTree(child.pid!) - cpuBefore;
        const calls = (await subgraphCalls(subgraphs.urls)) - callsBefore;
        results.push({
          gateway: name,
          requestsPerSecond: Math.round(run.requests.average * 10) / 10,
          p50Ms: run.latency.p50,
          p99Ms: run.latency.p99,
          peakRssMb: Math.round(peakRssKb(child.pid!) / 1024),
          cpuMsPerRequest: Math.round((cpuSeconds * 1000 * 100) / Math.max(1, run.requests.total)) / 100,
          subgraphCallsPerRequest: Math.round((calls / Math.max(1, run.requests.total)) * 100) / 100,
          requests: run.requests.total,
          mismatches: run.mismatches,
          errors: run.errors + run.non2xx,
        });
        console.error(`${name}: ${JSON.stringify(results.at(-1))}`);
      } finally {
        child.kill('SIGKILL');
        await new Promise((done) => child.once('exit', done));
      }
    }
  } finally {
    await subgraphs.stop();
  }
  console.error(`response size: ${Buffer.byteLength(expected ?? '')} bytes`);
  return results;
}

if (require.main === module) {
  runThroughput({
    duration: Number(option('duration', '60')),
    warmup: Number(option('warmup', '10')),
    connections: Number(option('connections', '50')),
    only: option('only', 'ours,ours-unshared,ours-gateway-executor,apollo,hive,hive-router-runtime').split(','),
  }).then(
    (results) => {
      console.log(JSON.stringify(results, null, 2));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
