/**
 * Router overhead: one query served by a single subgraph (products' topProducts), sent to the
 * subgraph directly and through our router, with the same load; the ratio is what the router
 * costs on top of the subgraph.
 *
 *   node --import tsx bench/gateways/overhead.ts [--duration 20] [--connections 10]
 */
import { GATEWAYS, load, option, query, startBenchSubgraphs, waitUntilServing } from './harness';

export interface OverheadResult {
  target: string;
  requestsPerSecond: number;
  /** Mean latency: p50 of a sub-millisecond subgraph rounds to 0 and makes no ratio. */
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
}

const BODY = JSON.stringify({ query: '{ topProducts(first: 5) { upc name price weight } }' });

export async function runOverhead(options: { duration: number; connections: number }): Promise<{ results: OverheadResult[]; latencyRatio: number; throughputRatio: number }> {
  const subgraphs = await startBenchSubgraphs();
  const router = GATEWAYS.ours!(4290, subgraphs.supergraphPath);
  try {
    const routerUrl = 'http://127.0.0.1:4290/graphql';
    await waitUntilServing(routerUrl);
    const targets = { direct: subgraphs.urls.products!, router: routerUrl };
    // Each target's exact bytes are what autocannon checks; the data must be the same.
    const bodies = { direct: await query(targets.direct, BODY), router: await query(routerUrl, BODY) };
    if (JSON.stringify(JSON.parse(bodies.direct)) !== JSON.stringify(JSON.parse(bodies.router))) {
      throw new Error(`router and subgraph answered differently: ${bodies.direct} / ${bodies.router}`);
    }

    const results: OverheadResult[] = [];
    for (const [target, url] of Object.entries(targets) as [keyof typeof targets, string][]) {
      await load(url, BODY, options.connections, 3, bodies[target]);
      const run = await load(url, BODY, options.connections, options.duration, bodies[target]);
      if (run.mismatches > 0 || run.errors > 0) throw new Error(`${target}: ${run.mismatches} mismatches, ${run.errors} errors`);
      results.push({ target, requestsPerSecond: Math.round(run.requests.average), meanMs: run.latency.average, p50Ms: run.latency.p50, p99Ms: run.latency.p99 });
    }
    const [direct, routed] = results as [OverheadResult, OverheadResult];
    return {
      results,
      latencyRatio: Math.round((routed.meanMs / direct.meanMs) * 100) / 100,
      throughputRatio: Math.round((direct.requestsPerSecond / routed.requestsPerSecond) * 100) / 100,
    };
  } finally {
    router.kill('SIGKILL');
    await subgraphs.stop();
  }
}

if (require.main === module) {
  runOverhead({ duration: Number(option('duration', '20')), connections: Number(option('connections', '10')) }).then(
    (result) => {
      console.log(JSON.stringify(result, null, 2));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
