import { loadProjectsConfig } from '@supergraph/config';
import { createLogger, stopOnSignals } from '@supergraph/server';
import { startProjectsSubgraph } from './app';

const config = loadProjectsConfig();
const logger = createLogger({ service: 'projects' }, config.logLevel);
startProjectsSubgraph(config, logger).then(
  (running) => stopOnSignals(running, logger),
  (error: unknown) => {
    logger.error('projects subgraph failed to start', { error: error instanceof Error ? error.stack : String(error) });
    process.exit(1);
  },
);
