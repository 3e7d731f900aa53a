/**
 * Our plan executor against stock @apollo/gateway's, in one process, on the benchmark query:
 *   node --import tsx bench/gateways/executor-throughput.ts [--runs 2000] [--concurrency 20] [--planner apollo|hive]
 * Both execute the same query N times against the same in-process subgraphs (their work is in the
 * measurement for both alike). Stock runs behind Apollo Server's executeOperation (parsing,
 * validation and plans cached, as in production); ours runs a plan and response shape prepared
 * once. Prints operations per second for each and the ratio: one run's measurement, not a claim.
 */
import '../../router/src/no-phone-home';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { parse } from 'graphql';
import type { SubgraphResponse } from '../../router/src/execution/data-source';
import { executeCompiledOperation, compileOperation } from '../../router/src/execution/plan-executor';
import { createOperationPlanner, type PlannerName } from '../../router/src/planning/operation-planner';
import { composeBenchSupergraph, option } from './harness';
import { serveAll } from './subgraphs';

async function measure(label: string, runs: number, concurrency: number, once: () => Promise<unknown>): Promise<number> {
  for (let warm = 0; warm < Math.min(200, runs); warm++) await once();
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < runs) await once();
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const perSecond = runs / seconds;
  console.log(`${label}: ${runs} operations in ${seconds.toFixed(2)} s = ${perSecond.toFixed(1)} operations/s`);
  return perSecond;
}

async function main(): Promise<void> {
  const runs = Number(option('runs', '2000'));
  const concurrency = Number(option('concurrency', '20'));
  const planner = option('planner', 'apollo') as PlannerName;
  const query = readFileSync(join(__dirname, 'query.graphql'), 'utf8');
  const subgraphs = await serveAll(0);
  const sdl = composeBenchSupergraph(subgraphs.urls);

  const stock = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl: sdl }) });
  await stock.start();
  const stockOnce = async (): Promise<unknown> => {
    const response = await stock.executeOperation({ query });
    if (response.body.kind !== 'single' || response.body.singleResult.errors) throw new Error('stock failed');
    return response.body.singleResult.data;
  };

  const apiSchema = Supergraph.build(sdl).apiSchema().toGraphQLJSSchema();
  const document = parse(query);
  const prepared = compileOperation(apiSchema, document, createOperationPlanner(planner, sdl).plan({ text: query, document }));
  const dataSource = async (serviceName: string, request: unknown): Promise<SubgraphResponse> => {
    const response = await fetch(subgraphs.urls[serviceName]!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    return (await response.json()) as SubgraphResponse;
  };
  const oursOnce = async (): Promise<unknown> => {
    const response = await executeCompiledOperation(apiSchema, prepared, {}, dataSource);
    if (response.errors) throw new Error('ours failed');
    return response.data;
  };

  if (JSON.stringify(await stockOnce()) !== JSON.stringify(await oursOnce())) throw new Error('the two executors answer differently');
  const stockRate = await measure('stock @apollo/gateway', runs, concurrency, stockOnce);
  const oursRate = await measure(`ours (${planner} planner)`, runs, concurrency, oursOnce);
  console.log(`ratio ours/stock: ${(oursRate / stockRate).toFixed(2)}x`);
  await stock.stop();
  await subgraphs.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
