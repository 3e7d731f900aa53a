import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type PlatformConfig } from '@supergraph/config';
import { createLogger, type Logger } from '@supergraph/server';

/**
 * Configuration for a test: fixed secrets, ephemeral ports, a throw-away data folder, and
 * whatever the test overrides through the same environment variables users set.
 */
export function testConfig(env: Record<string, string> = {}): { config: PlatformConfig; cleanup(): void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'supergraph-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    ROUTER_SIGNING_SECRET: 'test-router-signing-secret',
    JWT_SECRET: 'test-jwt-secret-that-is-long-enough',
    ROUTER_PORT: '0',
    USERS_PORT: '0',
    SHUTDOWN_GRACE_MS: '2000',
    LOG_LEVEL: 'error',
    ...env,
  });
  return { config, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

export const quietLogger = (service: string): Logger => createLogger({ service }, 'error');
