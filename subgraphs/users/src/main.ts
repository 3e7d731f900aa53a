import { loadUsersConfig } from '@supergraph/config';
import { createLogger, stopOnSignals } from '@supergraph/server';
import { startUsersSubgraph } from './app';

const config = loadUsersConfig();
const logger = createLogger({ service: 'users' }, config.logLevel);
startUsersSubgraph(config, logger).then(
  (running) => stopOnSignals(running, logger),
  (error: unknown) => {
    logger.error('users subgraph failed to start', { error: error instanceof Error ? error.stack : String(error) });
    process.exit(1);
  },
);
