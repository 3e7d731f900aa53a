import type { ConfigOf, ServiceName } from '@supergraph/config';
import { createTestDatabase, type TestDatabase } from './database';
import { testConfig } from './platform';
import { CleanupStack } from './stack';

/** The CleanupStack with what every harness starts first: scratch databases and test configurations. */
export class HarnessStack extends CleanupStack {
  /** `adminDatabaseUrl`: the PostgreSQL server scratch databases go on (default: the tests' shared one, see createTestDatabase). */
  constructor(private readonly adminDatabaseUrl?: string) {
    super();
  }

  /** A scratch database of its own (see createTestDatabase), dropped on stop. */
  async database(label: string): Promise<TestDatabase> {
    const database = await createTestDatabase(label, this.adminDatabaseUrl);
    this.defer(() => database.drop());
    return database;
  }

  /** A service's test configuration (see testConfig) whose throw-away data folder is removed on stop. */
  config<S extends ServiceName>(service: S, env: Record<string, string> = {}): ConfigOf<S> {
    const { config, cleanup } = testConfig(service, env);
    this.defer(cleanup);
    return config;
  }
}
