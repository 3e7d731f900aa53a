/**
 * Router overhead: one query served by a single subgraph (products' topProducts), sent to the
 * subgraph directly, through a bare forwarding proxy (the floor for any Node process in between)
 * and through our router with and without operation sharing, with the same load; the ratios are
 * what each costs on top of the subgraph.
 *
 *   node --import tsx bench/gateways/overhead.ts [--duration 20] [--connections 10]
 */
import { GATEWAYS, load, option, query, spawnBareProxy, startBenchSubgraphs, waitUntilServing } from './harness';

export interface OverheadResult {
  target: string;
  requestsPerSecond: number;
  /** Mean latency: p50 of a sub-millisecond subgraph rounds to 0 and makes no ratio. */
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
}

const BODY = JSON.stringify({ query: '{ topProducts(first: 5) { upc name price weight } }' });

export async function runOverhead(options: {
  duration: number;
  connections: number;
}): Promise<{ results: OverheadResult[]; ratios: Record<string, { latency: number; throughput: number }> }> {
  const subgraphs = await startBenchSubgraphs();
  const products = subgraphs.urls.products!;
  const processes = [
    GATEWAYS.ours!(4290, subgraphs.supergraphPath),
    GATEWAYS['ours-unshared']!(4291, subgraphs.supergraphPath),
    spawnBareProxy(4292, products),
  ];
  try {
    // The bare proxy is the floor: what any Node process between client and subgraph costs.
    const targets = {
      direct: products,
      'bare proxy': 'http://127.0.0.1:4292/graphql',
      router: 'http://127.0.0.1:4290/graphql',
      'router, unshared': 'http://127.0.0.1:4291/graphql',
    };
    const bodies: Record<string, string> = {};
    for (const [target, url] of Object.entries(targets)) {
      await waitUntilServing(url);
      bodies[target] = await query(url, BODY);
      // Each target's exact bytes are what autocannon checks; the data must be the same.
      if (JSON.stringify(JSON.parse(bodies[target]!)) !== JSON.stringify(JSON.parse(bodies.direct!))) {
        throw new Error(`${target} and the subgraph answered differently: ${bodies[target]} / ${bodies.direct}`);
      }
    }

    const results: OverheadResult[] = [];
    for (const [target, url] of Object.entries(targets)) {
      await load(url, BODY, options.connections, 3, bodies[target]!);
      const run = await load(url, BODY, options.connections, options.duration, bodies[target]!);
      if (run.mismatches > 0 || run.errors > 0) throw new Error(`${target}: ${run.mismatches} mismatches, ${run.errors} errors`);
      results.push({
        target,
        requestsPerSecond: Math.round(run.requests.average),
        meanMs: run.latency.average,
        p50Ms: run.latency.p50,
        p99Ms: run.latency.p99,
      });
    }
    const direct = results[0]!;
    const ratio = (value: number) => Math.round(value * 100) / 100;
    return {
      results,
      // Each target against the direct call: mean latency and requests per second.
      ratios: Object.fromEntries(
        results
          .slice(1)
          .map((result) => [
            result.target,
            { latency: ratio(result.meanMs / direct.meanMs), throughput: ratio(direct.requestsPerSecond / result.requestsPerSecond) },
          ]),
      ),
    };
  } finally {
    for (const child of processes) child.kill('SIGKILL');
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
