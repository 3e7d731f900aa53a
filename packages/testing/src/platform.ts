import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_LOADERS, type ConfigOf, type ServiceName } from '@supergraph/config';
import { createLogger, type Logger } from '@supergraph/server';

/**
 * One per test file (Jest gives each file its own module registry): the subgraphs a test file
 * starts share events, while test files running at the same time on one Redis never see each other's.
 */
export const EVENT_CHANNEL_PREFIX = `test-${randomBytes(4).toString('hex')}:`;

/**
 * Configuration of one service for a test, from that service's own loader: fixed secrets,
 * ephemeral ports, a throw-away data folder, and whatever the test overrides through the same
 * environment variables users set.
 */
export function testConfig<S extends ServiceName>(service: S, env: Record<string, string> = {}): { config: ConfigOf<S>; cleanup(): void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'supergraph-test-'));
  const config = CONFIG_LOADERS[service]({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    ROUTER_SIGNING_SECRET: 'test-router-signing-secret',
    JWT_SECRET: 'test-jwt-secret-that-is-long-enough',
    ROUTER_PORT: '0',
    USERS_PORT: '0',
    SHUTDOWN_GRACE_MS: '2000',
    LOG_LEVEL: 'error',
    PROJECTS_PORT: '0',
    PAYMENTS_PORT: '0',
    BLOCKCHAIN_PORT: '0',
    EVENT_CHANNEL_PREFIX,
    // Tests that are about rate limiting turn it on themselves.
    RATE_LIMIT_PER_MINUTE: '0',
    ...env,
  }) as ConfigOf<S>;
  return { config, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

export const quietLogger = (service: string): Logger => createLogger({ service }, 'error');
