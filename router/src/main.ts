import cluster from 'node:cluster';
import { loadRouterConfig } from '@supergraph/config';
import { createLogger, stopOnSignals } from '@supergraph/server';
import { runWorkers } from './workers';

const config = loadRouterConfig();
const logger = createLogger({ service: 'router' }, config.logLevel);
if (config.router.workers > 1 && cluster.isPrimary) {
  runWorkers(config.router.workers, logger);
} else {
  // Loaded here, not at the top: a supervisor of workers never runs the router itself.
  import('./app.js')
    .then(({ startRouter }) => startRouter(config, logger))
    .then(
      (running) => stopOnSignals(running, logger),
      (error: unknown) => {
        logger.error('router failed to start', { error: error instanceof Error ? error.stack : String(error) });
        process.exit(1);
      },
    );
}
