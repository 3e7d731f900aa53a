import type { UsersServiceConfig } from '@supergraph/config';
import { startOutboxRelay, type OutboxRelay } from '@supergraph/outbox';
import { createLogger, type Logger, type RunningServer } from '@supergraph/server';
import { createEventBus, type EventBus } from '@supergraph/pubsub';
import { serveSubgraph, serverOptions } from '@supergraph/subgraph';
import { createUsersContext, type UsersServices } from './context';
import { openUsersDatabase, type UsersDatabase } from './data/database';
import { UsersMetrics } from './metrics';
import { buildUsersSchema } from './schema';

export interface UsersSubgraph extends RunningServer {
  database: UsersDatabase;
  events: EventBus;
  relay: OutboxRelay;
  metrics: UsersMetrics;
}

/** Opens the database, migrates it, starts the outbox relay and serves the subgraph. Used by main.ts and by the tests. */
export async function startUsersSubgraph(
  config: UsersServiceConfig,
  logger: Logger = createLogger({ service: 'users' }, config.logLevel),
): Promise<UsersSubgraph> {
  const metrics = new UsersMetrics();
  const database = await openUsersDatabase({ url: config.users.databaseUrl, dataDir: config.dataDir, logger });
  metrics.observeDatabase(database);
  const events = metrics.countEvents(createEventBus(config));
  // Publishes outbox_events (users.accountUpdated, users.signedIn) to the bus after commit.
  const relay = startOutboxRelay({ sql: database.sql, bus: events, logger });
  metrics.observeOutbox(relay.lagSeconds);
  const close = async () => {
    await relay.stop();
    await events.close();
    await database.close();
  };
  try {
    const services: UsersServices = {
      prisma: database.prisma,
      config,
      events,
      metrics,
      onCommitted: () => void relay.flush().catch(() => undefined),
    };
    const running = await serveSubgraph({
      name: 'users',
      schema: await buildUsersSchema(),
      ...serverOptions(config),
      port: config.users.port,
      logger,
      metrics,
      createContext: (base) => createUsersContext(base, services),
      onStop: close,
    });
    return Object.assign(running, { database, events, relay, metrics });
  } catch (error) {
    await close();
    throw error;
  }
}
