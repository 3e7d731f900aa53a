/**
 * Query planning speed and memory of the two planners behind the router's planner interface
 * (router/src/planning): @apollo/query-planner and Hive Router's planner, plans converted to the
 * router's format included. For each operation: the first plan on a freshly built planner (cold),
 * then the same operation planned again and again for a while (every plan a cache miss: the
 * planners keep no plan cache, the router does). Memory: each planner in a process of its own,
 * built for both supergraphs and having planned every operation. Prints the figures as JSON.
 *
 *   node --import tsx bench/planners.ts [--seconds 3]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'graphql';
import { AuthorizationPolicy } from '../router/src/authorization';
import { createOperationPlanner, type OperationToPlan, type PlannerName } from '../router/src/planning/operation-planner';
import { composeBenchSupergraph } from './gateways/harness';

const root = resolve(__dirname, '..');
const option = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1]! : fallback;
};
const SECONDS = Number(option('seconds', '3'));
const PLANNERS: PlannerName[] = ['apollo', 'hive'];

const SUPERGRAPHS = {
  // The gateway benchmark's four subgraphs; URLs do not matter for planning.
  bench: composeBenchSupergraph({ accounts: 'http://accounts', inventory: 'http://inventory', products: 'http://products', reviews: 'http://reviews' }),
  // The platform's own, as the gateway loads it.
  platform: new AuthorizationPolicy(readFileSync(join(root, 'supergraph.graphql'), 'utf8')).gatewaySdl,
};
type SupergraphName = keyof typeof SUPERGRAPHS;

const clientOperations = (file: string) => readFileSync(join(root, 'clients/operations', file), 'utf8');
const OPERATIONS: { name: string; supergraph: SupergraphName; text: string; operationName?: string }[] = [
  { name: 'gateway benchmark query (16 Apollo fetches)', supergraph: 'bench', text: readFileSync(join(root, 'bench/gateways/query.graphql'), 'utf8') },
  {
    name: 'MyProjectsAndRecommendations (3 subgraphs)',
    supergraph: 'platform',
    text: clientOperations('ai.graphql'),
    operationName: 'MyProjectsAndRecommendations',
  },
  { name: 'Me (one subgraph)', supergraph: 'platform', text: clientOperations('users.graphql'), operationName: 'Me' },
  { name: 'payments with fraudScore (@requires)', supergraph: 'platform', text: 'query Fraud { me { payments { id amount fraudScore { score } } } }' },
  { name: 'subscription with an entity fetch', supergraph: 'platform', text: 'subscription Account { accountUpdated { id tier projects { name } } }' },
];

function operation(text: string, operationName?: string): OperationToPlan {
  return { text, document: parse(text), operationName };
}

function elapsedMs(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function speed(name: PlannerName) {
  const build = Object.fromEntries(
    Object.entries(SUPERGRAPHS).map(([supergraph, sdl]) => {
      const started = process.hrtime.bigint();
      createOperationPlanner(name, sdl);
      return [supergraph, Math.round(elapsedMs(started) * 10) / 10];
    }),
  );
  const operations = OPERATIONS.map(({ name: operationName, supergraph, text, operationName: selected }) => {
    const input = operation(text, selected);
    const planner = createOperationPlanner(name, SUPERGRAPHS[supergraph]);
    let started = process.hrtime.bigint();
    planner.plan(input);
    const coldMs = elapsedMs(started);
    let plans = 0;
    started = process.hrtime.bigint();
    while (elapsedMs(started) < SECONDS * 1000) {
      planner.plan(input);
      plans++;
    }
    const seconds = elapsedMs(started) / 1000;
    return {
      operation: operationName,
      coldMs: Math.round(coldMs * 100) / 100,
      plansPerSecond: Math.round(plans / seconds),
      meanMs: Math.round(((seconds * 1000) / plans) * 1000) / 1000,
    };
  });
  return { planner: name, buildMs: build, operations };
}

/** In its own process: what building both planners of one kind and planning every operation leaves in memory. */
function memory(name: PlannerName) {
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  const before = process.memoryUsage();
  const planners = Object.fromEntries(Object.entries(SUPERGRAPHS).map(([supergraph, sdl]) => [supergraph, createOperationPlanner(name, sdl)]));
  for (let round = 0; round < 20; round++)
    for (const { supergraph, text, operationName } of OPERATIONS) planners[supergraph]!.plan(operation(text, operationName));
  gc();
  const after = process.memoryUsage();
  const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  return {
    planner: name,
    rssMb: mb(after.rss - before.rss),
    heapMb: mb(after.heapUsed - before.heapUsed),
    peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
  };
}

function inChild(name: PlannerName): ReturnType<typeof memory> {
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', __filename, '--memory', name], { cwd: root, encoding: 'utf8' });
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout) as ReturnType<typeof memory>;
}

function main(): void {
  const memoryOf = option('memory', '');
  if (memoryOf) {
    console.log(JSON.stringify(memory(memoryOf as PlannerName)));
    return;
  }
  const results = PLANNERS.map(speed);
  const [apollo, hive] = results;
  const ratios = OPERATIONS.map(({ name }, index) => ({
    operation: name,
    hiveOverApolloRepeated: Math.round((hive!.operations[index]!.plansPerSecond / apollo!.operations[index]!.plansPerSecond) * 10) / 10,
    apolloOverHiveCold: Math.round((apollo!.operations[index]!.coldMs / hive!.operations[index]!.coldMs) * 10) / 10,
  }));
  console.log(JSON.stringify({ node: process.version, seconds: SECONDS, speed: results, ratios, memory: PLANNERS.map(inChild) }, null, 2));
}

main();
