import type { RouterServiceConfig } from '@supergraph/config';
import { createLogger, type RunningServer } from '@supergraph/server';
import {
  embeddedPostgres,
  HarnessStack,
  localRedis,
  quietLogger,
  redisServerBinary,
  startTaskWorkerProcess,
  startTcpProxy,
  type LocalService,
  type TcpProxy,
} from '@supergraph/testing';
import { startRouter } from '@supergraph/router/src/app';
import { startUsersSubgraph, type UsersSubgraph } from '@supergraph/users/src/app';
import { startPaymentsSubgraph, type PaymentsSubgraph } from '@supergraph/payments/src/app';
import { startBlockchainSubgraph, type BlockchainSubgraph } from '@supergraph/blockchain/src/app';
import { startProjectsSubgraph, type ProjectsSubgraph } from '@supergraph/projects/src/app';
import { startTestChain, type TestChain } from '@supergraph/blockchain/test/chain';

/**
 * The platform the fault suite breaks: users, payments (with its embedded Stripe), blockchain on a
 * local chain, projects with its task queue on BullMQ and a task worker process, and the router in front of them, all on a PostgreSQL and a Redis of their own that
 * the suite stops and starts again (never the shared ones other tests use), and a chain node the
 * blockchain subgraph reaches through a port the suite can take away while the node runs on.
 */
export interface FaultPlatform {
  /** The router's GraphQL endpoint (the same after `restartRouter`). */
  url: string;
  /** Signs calls made straight to a subgraph (asRouter). */
  signingSecret: string;
  postgres: LocalService;
  redis: LocalService;
  /** The chain itself: the suite sends transactions straight to it, whether the subgraph can reach it or not. */
  chain: TestChain;
  /** The chain node as the blockchain subgraph reaches it (HTTP and WebSocket): `close()` is the node gone for it. */
  chainNode: TcpProxy;
  users: UsersSubgraph;
  payments: PaymentsSubgraph;
  blockchain: BlockchainSubgraph;
  projects: ProjectsSubgraph;
  /** What the projects subgraph logged (info and above), one object per line. */
  projectsLog: Record<string, unknown>[];
  /** The router now (another object after `restartRouter`). */
  readonly router: RunningServer;
  /** Stops the router as SIGTERM would (draining), then starts a new one on the same port. */
  restartRouter(): Promise<void>;
  stop(): Promise<void>;
}

export async function startFaultPlatform(): Promise<FaultPlatform> {
  const services = new HarnessStack();
  return services.starting(async () => {
    const postgres = await embeddedPostgres();
    services.defer(() => postgres.close());
    await postgres.start();
    // Persistent, as docker-compose's Redis is: a restart keeps the event logs subscribers resume from.
    const redis = await localRedis(
      redisServerBinary((message) => console.log(`fault suite: ${message}`)),
      { persistent: true },
    );
    services.defer(() => redis.close());
    await redis.start();

    const stack = new HarnessStack(postgres.url);
    services.defer(() => stack.stop());
    const shared = { REDIS_URL: redis.url };
    const chain = await stack.add(startTestChain());
    const chainNode = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(chain.chain.httpUrl).port) });
    stack.defer(() => chainNode.close());
    const nodeEnv = { RPC_URL: `http://127.0.0.1:${chainNode.port}`, RPC_WS_URL: `ws://127.0.0.1:${chainNode.port}` };
    const users = await stack.add(
      startUsersSubgraph(stack.config('users', { ...shared, USERS_DATABASE_URL: (await stack.database('users')).url }), quietLogger('users')),
    );
    const blockchain = await stack.add(
      startBlockchainSubgraph(
        stack.config('blockchain', {
          ...shared,
          ...chain.env,
          ...nodeEnv,
          // Its RPC cache on, so it lives on the Redis the suite restarts (the test chain turns it off).
          BLOCKCHAIN_CACHE_TTL_SECONDS: '5',
          BLOCKCHAIN_DATABASE_URL: (await stack.database('blockchain')).url,
        }),
        quietLogger('blockchain'),
      ),
    );
    const paymentsConfig = stack.config('payments', {
      ...shared,
      PAYMENTS_DATABASE_URL: (await stack.database('payments')).url,
      USERS_URL: `${users.url}/graphql`,
      BLOCKCHAIN_URL: `${blockchain.url}/graphql`,
      OUTBOX_POLL_MS: '50',
    });
    const payments = await stack.add(startPaymentsSubgraph(paymentsConfig, quietLogger('payments')));
    // The projects subgraph queues tasks on BullMQ; a worker process of its own (`npm run worker`) runs them.
    const projectsEnv = { ...shared, PROJECTS_DATABASE_URL: (await stack.database('projects')).url, PROJECTS_QUEUE_PREFIX: 'faults', OUTBOX_POLL_MS: '50' };
    const projectsConfig = stack.config('projects', { ...projectsEnv, PROJECTS_PORT: '0', PROJECTS_INPROCESS_WORKER: 'false' });
    const projectsLog: Record<string, unknown>[] = [];
    const projectsLogger = createLogger({ service: 'projects' }, 'info', {
      write: (line: string) => void projectsLog.push(JSON.parse(line) as Record<string, unknown>),
    });
    const projects = await stack.add(startProjectsSubgraph(projectsConfig, projectsLogger));
    await stack.add(startTaskWorkerProcess({ ...projectsEnv, DATA_DIR: projectsConfig.dataDir, ROUTER_SIGNING_SECRET: projectsConfig.routerSigningSecret }));

    const routerConfig: RouterServiceConfig = stack.config('router', {
      ...shared,
      SUBGRAPH_USERS_URL: `${users.url}/graphql`,
      SUBGRAPH_PAYMENTS_URL: `${payments.url}/graphql`,
      SUBGRAPH_BLOCKCHAIN_URL: `${blockchain.url}/graphql`,
      SUBGRAPH_PROJECTS_URL: `${projects.url}/graphql`,
      // Port 9 (discard): the subgraph this platform leaves out is plainly unavailable.
      SUBGRAPH_AI_URL: 'http://127.0.0.1:9/graphql',
      // On, so it runs on Redis and must fall back while Redis is gone; high enough to admit the load.
      RATE_LIMIT_PER_MINUTE: '1000000',
    });
    let router = await startRouter(routerConfig, quietLogger('router'));
    services.defer(() => router.stop());
    const port = Number(new URL(router.url).port);
    return {
      url: `${router.url}/graphql`,
      signingSecret: routerConfig.routerSigningSecret,
      postgres,
      redis,
      chain,
      chainNode,
      users,
      payments,
      blockchain,
      projects,
      projectsLog,
      get router() {
        return router;
      },
      restartRouter: async () => {
        await router.stop();
        router = await startRouter({ ...routerConfig, router: { ...routerConfig.router, port } }, quietLogger('router'));
      },
      stop: () => services.stop(),
    };
  });
}
