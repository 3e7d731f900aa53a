import type { PlatformConfig } from '@supergraph/config';
import { createLogger, type Logger, type RunningServer } from '@supergraph/server';
import { serveSubgraph } from '@supergraph/subgraph';
import { createUsersContext } from './context';
import { openUsersDatabase, type UsersDatabase } from './data/database';
import { buildUsersSchema } from './schema';

export interface UsersSubgraph extends RunningServer {
  database: UsersDatabase;
}

/** Opens the database, migrates it and serves the subgraph. Used by main.ts and by the tests. */
export async function startUsersSubgraph(
  config: PlatformConfig,
  logger: Logger = createLogger({ service: 'users' }, config.logLevel),
): Promise<UsersSubgraph> {
  const database = await openUsersDatabase({ url: config.users.databaseUrl, dataDir: config.dataDir, logger });
  try {
    const running = await serveSubgraph({
      name: 'users',
      schema: await buildUsersSchema(),
      host: config.host,
      port: config.users.port,
      signingSecret: config.routerSigningSecret,
      logger,
      graceMs: config.shutdownGraceMs,
      maxBodyBytes: config.maxBodyBytes,
      createContext: (base) => createUsersContext(base, database.prisma, config),
      onStop: database.close,
    });
    return Object.assign(running, { database });
  } catch (error) {
    await database.close();
    throw error;
  }
}
