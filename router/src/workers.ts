import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '@supergraph/server';

/** A worker that dies within this long of its start counts as a crash loop, and is not restarted at once. */
const QUICK_DEATH_MS = 5_000;

/**
 * Runs the router on several cores: this (primary) process forks `count` workers that each run
 * the whole router and share its listening port (Node's cluster module hands each new connection
 * to the next worker). A worker that dies is replaced; SIGTERM or SIGINT stops every worker
 * gracefully (each drains its own requests and sockets) before the primary exits.
 *
 * Per-process state (in-memory rate limits, persisted queries, response cache, socket tickets) is per worker:
 * give the router a REDIS_URL when it runs more than one.
 */
export function runWorkers(count: number, logger: Logger): void {
  let stopping = false;
  const startedAt = new Map<Worker, number>();
  let quickDeaths = 0;

  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
  };

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) {
      if (startedAt.size === 0) process.exit(0);
      return;
    }
    logger.error('router worker died; starting another', { pid: worker.process.pid, code, signal });
    quickDeaths = lived < QUICK_DEATH_MS ? quickDeaths + 1 : 0;
    // Back off when workers die as soon as they start (bad config, port taken): do not spin.
    setTimeout(fork, Math.min(30_000, 250 * 2 ** Math.min(quickDeaths, 7)));
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping workers', { signal, workers: startedAt.size });
    if (startedAt.size === 0) process.exit(0);
    for (const worker of startedAt.keys()) worker.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  for (let index = 0; index < count; index++) fork();
  logger.info('router primary started', { workers: count });
}
