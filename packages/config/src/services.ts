import { loadBlockchainConfig } from './blockchain';
import type { Env } from './parsers';
import { loadPaymentsConfig } from './payments';
import { loadProjectsConfig } from './projects';
import { loadRouterConfig } from './router';
import { loadUsersConfig } from './users';

/**
 * Each TypeScript service's configuration loader, by service name. A process runs exactly one of
 * them, so it reads and validates only its own settings (the projects worker uses projects').
 */
export const CONFIG_LOADERS = {
  router: loadRouterConfig,
  users: loadUsersConfig,
  projects: loadProjectsConfig,
  payments: loadPaymentsConfig,
  blockchain: loadBlockchainConfig,
} satisfies Record<string, (env: Env) => unknown>;

export type ServiceName = keyof typeof CONFIG_LOADERS;
export type ConfigOf<S extends ServiceName> = ReturnType<(typeof CONFIG_LOADERS)[S]>;
