import type { UsersServiceConfig } from '@supergraph/config';
import { createLogger, type Logger, type RunningServer } from '@supergraph/server';
import { createEventBus, type EventBus } from '@supergraph/pubsub';
import { serveSubgraph, serverOptions } from '@supergraph/subgraph';
import { createUsersContext } from './context';
import { openUsersDatabase, type UsersDatabase } from './data/database';
import { UsersMetrics } from './metrics';
import { buildUsersSchema } from './schema';

export interface UsersSubgraph extends RunningServer {
  database: UsersDatabase;
  events: EventBus;
  metrics: UsersMetrics;
}

/** Opens the database, migrates it and serves the subgraph. Used by main.ts and by the tests. */
export async function startUsersSubgraph(
  config: UsersServiceConfig,
  logger: Logger = createLogger({ service: 'users' }, config.logLevel),
): Promise<UsersSubgraph> {
  const metrics = new UsersMetrics();
  const database = await openUsersDatabase({ url: config.users.databaseUrl, dataDir: config.dataDir, logger });
  metrics.observeDatabase(database);
  const events = metrics.countEvents(createEventBus(config));
  const close = async () => {
    await events.close();
    await database.close();
  };
  try {
    const running = await serveSubgraph({
      name: 'users',
      schema: await buildUsersSchema(),
      ...serverOptions(config),
      port: config.users.port,
      logger,
      metrics,
      createContext: (base) => createUsersContext(base, database.prisma, config, events, metrics),
      onStop: close,
    });
    return Object.assign(running, { database, events, metrics });
  } catch (error) {
    await close();
    throw error;
  }
}
