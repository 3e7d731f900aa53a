import { loadPaymentsConfig } from '@supergraph/config';
import { createLogger, stopOnSignals } from '@supergraph/server';
import { startPaymentsSubgraph } from './app';

const config = loadPaymentsConfig();
const logger = createLogger({ service: 'payments' }, config.logLevel);
startPaymentsSubgraph(config, logger).then(
  (running) => stopOnSignals(running, logger),
  (error: unknown) => {
    logger.error('payments subgraph failed to start', { error: error instanceof Error ? error.stack : String(error) });
    process.exit(1);
  },
);
