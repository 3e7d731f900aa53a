import { loadConfig } from '@supergraph/config';
import { createLogger, stopOnSignals } from '@supergraph/server';
import { startRouter } from './app';

const config = loadConfig();
const logger = createLogger({ service: 'router' }, config.logLevel);
startRouter(config, logger).then(
  (running) => stopOnSignals(running, logger),
  (error: unknown) => {
    logger.error('router failed to start', { error: error instanceof Error ? error.stack : String(error) });
    process.exit(1);
  },
);
