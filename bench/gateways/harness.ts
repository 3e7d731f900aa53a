/** What the gateway benchmarks share: the subgraphs process, gateway processes, load and checks. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { definitions } from './subgraphs';

export const root = resolve(__dirname, '../..');

export function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1]! : fallback;
}

export const GATEWAYS: Record<string, (port: number, supergraph: string) => ChildProcess> = {
  ours: (port, supergraph) => spawnNode(['--import', 'tsx', join(__dirname, 'run-gateway.ts'), 'ours', String(port), supergraph]),
  // Our router with every request executed on its own: what the executor alone achieves.
  'ours-unshared': (port, supergraph) =>
    spawnNode(['--import', 'tsx', join(__dirname, 'run-gateway.ts'), 'ours', String(port), supergraph], { OPERATION_DEDUPE: 'false' }),
  // Our router with @apollo/gateway's executor in place of ours (QUERY_EXECUTOR=gateway): what our executor changes.
  'ours-gateway-executor': (port, supergraph) =>
    spawnNode(['--import', 'tsx', join(__dirname, 'run-gateway.ts'), 'ours', String(port), supergraph], {
      OPERATION_DEDUPE: 'false',
      QUERY_EXECUTOR: 'gateway',
    }),
  // Our executor on @apollo/query-planner's plans instead of Hive's.
  'ours-apollo-planner': (port, supergraph) =>
    spawnNode(['--import', 'tsx', join(__dirname, 'run-gateway.ts'), 'ours', String(port), supergraph], { OPERATION_DEDUPE: 'false', QUERY_PLANNER: 'apollo' }),
  apollo: (port, supergraph) => spawnNode(['--import', 'tsx', join(__dirname, 'run-gateway.ts'), 'apollo', String(port), supergraph]),
  hive: (port, supergraph) => spawnHiveGateway(port, supergraph),
  // Hive Gateway on Hive Router's runtime (@graphql-hive/router-runtime: the Rust planner and its executor).
  'hive-router-runtime': (port, supergraph) => spawnHiveGateway(port, supergraph, { HIVE_ROUTER_RUNTIME: 'true' }),
};

function spawnHiveGateway(port: number, supergraph: string, env: Record<string, string> = {}): ChildProcess {
  const cli = join(root, 'node_modules/@graphql-hive/gateway/dist/bin.js');
  return spawnNode([cli, 'supergraph', supergraph, '--port', String(port), '--host', '127.0.0.1', '--fork', '1'], env);
}

export function spawnBareProxy(port: number, upstream: string): ChildProcess {
  return spawnNode(['--import', 'tsx', join(__dirname, 'bare-proxy.ts'), String(port), upstream]);
}

function spawnNode(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, NODE_ENV: 'production', ...env } });
}

/** Starts the subgraphs and composes their supergraph (written to a temporary file). */
export async function startBenchSubgraphs(): Promise<{ urls: Record<string, string>; supergraphPath: string; stop(): Promise<void> }> {
  const subgraphs = await startSubgraphs();
  const supergraphPath = join(mkdtempSync(join(tmpdir(), 'bench-')), 'supergraph.graphql');
  writeFileSync(supergraphPath, composeBenchSupergraph(subgraphs.urls));
  return { ...subgraphs, supergraphPath };
}

/** The benchmark subgraphs' supergraph, routing to `urls` by subgraph name. */
export function composeBenchSupergraph(urls: Record<string, string>): string {
  const composed = composeServices(Object.entries(definitions).map(([name, { typeDefs }]) => ({ name, url: urls[name]!, typeDefs: parse(typeDefs) })));
  if (composed.errors) throw new Error(composed.errors.map((error) => error.message).join('\n'));
  return composed.supergraphSdl;
}

async function startSubgraphs(): Promise<{ urls: Record<string, string>; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'subgraphs.ts'), '4100'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const urls = await new Promise<Record<string, string>>((resolveUrls, reject) => {
    child.stdout!.once('data', (line: Buffer) => resolveUrls(JSON.parse(line.toString()) as Record<string, string>));
    child.once('exit', (code) => reject(new Error(`benchmark subgraphs exited (${code})`)));
  });
  return {
    urls,
    stop: async () => {
      child.kill('SIGKILL');
      await new Promise((done) => child.once('exit', done));
    },
  };
}

export function load(url: string, body: string, connections: number, duration: number, expectBody: string): Promise<autocannon.Result> {
  return autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration,
    expectBody,
  });
}

export async function query(url: string, body: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return response.text();
}

export async function waitUntilServing(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`${url} did not start`);
}

export async function subgraphCalls(urls: Record<string, string>): Promise<number> {
  const first = Object.values(urls)[0]!;
  const stats = (await (await fetch(first.replace('/graphql', '/stats'))).json()) as Record<string, number>;
  return Object.values(stats).reduce((sum, count) => sum + count, 0);
}

/**
 * CPU time (user + system, seconds) a process and every process under it have used so far, from
 * Linux's /proc: what a gateway spends per request does not depend on how busy the rest of the
 * machine is, where requests per second on a shared machine do.
 */
export function cpuSecondsOfTree(pid: number): number {
  const ticksPerSecond = 100; // USER_HZ on Linux
  const stats = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      try {
        // Fields after the command name (which may hold spaces): state ppid … utime(14) stime(15).
        const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return [{ pid: Number(entry), parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) }];
      } catch {
        return []; // the process ended meanwhile
      }
    });
  const children = new Map<number, number[]>();
  for (const stat of stats) children.set(stat.parent, [...(children.get(stat.parent) ?? []), stat.pid]);
  const ticks = new Map(stats.map((stat) => [stat.pid, stat.ticks]));
  let total = 0;
  const visit = (id: number): void => {
    total += ticks.get(id) ?? 0;
    for (const child of children.get(id) ?? []) visit(child);
  };
  visit(pid);
  return total / ticksPerSecond;
}

/** Peak resident memory of a process (VmHWM), from Linux's /proc. */
export function peakRssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
}
