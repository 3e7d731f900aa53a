import { loadBlockchainConfig } from '@supergraph/config';
import { createLogger, stopOnSignals } from '@supergraph/server';
import { startBlockchainSubgraph } from './app';

const config = loadBlockchainConfig();
const logger = createLogger({ service: 'blockchain' }, config.logLevel);
startBlockchainSubgraph(config, logger).then(
  (running) => stopOnSignals(running, logger),
  (error: unknown) => {
    logger.error('blockchain subgraph failed to start', { error: error instanceof Error ? error.stack : String(error) });
    process.exit(1);
  },
);
