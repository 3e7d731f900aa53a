/**
 * One service (the router or the users subgraph) in a process of its own, forked by a benchmark
 * that wants its memory apart from everything else. Configured from the environment like
 * `npm start`; over IPC it reports `{ ready: url }` once listening, answers `'memory'` with its
 * memory after a full GC (so run it with --expose-gc), and stops on `'stop'`.
 *
 *   fork('bench/service-process.ts', ['router' | 'users'], { execArgv: ['--expose-gc', '--import', 'tsx'] })
 */
import { loadRouterConfig, loadUsersConfig } from '@supergraph/config';
import { createLogger, type RunningServer } from '@supergraph/server';
import { startUsersSubgraph } from '@supergraph/users/src/app';
import { startRouter } from '../router/src/app';

export type ServiceName = 'router' | 'users';
export type ServiceMessage = { ready: string } | { memory: NodeJS.MemoryUsage } | { failed: string };

const services: Record<ServiceName, () => Promise<RunningServer>> = {
  router: () => {
    const config = loadRouterConfig();
    return startRouter(config, createLogger({ service: 'router' }, config.logLevel));
  },
  users: () => {
    const config = loadUsersConfig();
    return startUsersSubgraph(config, createLogger({ service: 'users' }, config.logLevel));
  },
};

function send(message: ServiceMessage): void {
  process.send!(message);
}

async function main(): Promise<void> {
  const name = process.argv[2] as ServiceName;
  if (!services[name] || !process.send) throw new Error('fork this with an IPC channel and "router" or "users"');
  const running = await services[name]();
  const stop = () => void running.stop().finally(() => process.exit(0));
  process.on('message', (message) => {
    if (message === 'memory') {
      (globalThis as { gc?: () => void }).gc?.();
      send({ memory: process.memoryUsage() });
    } else if (message === 'stop') stop();
  });
  process.on('disconnect', stop); // the benchmark went away
  send({ ready: running.url });
}

main().catch((error: unknown) => {
  send({ failed: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
