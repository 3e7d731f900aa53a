/**
 * N+1: one supergraph query for N users with their projects, payments, wallets and lead score,
 * and what it costs each subgraph — SQL statements (users, projects, payments, blockchain),
 * JSON-RPC calls (blockchain), model calls (AI) and fetches from the router — for each N. Batching
 * works when every count is the same for N = 10 and N = 1000. Prints the figures as JSON.
 *
 *   node --import tsx bench/n-plus-one.ts [--sizes 10,1000] [--repeat 3]
 *
 * Needs PostgreSQL (TEST_DATABASE_URL) and Redis (REDIS_URL) like the tests: see bench/platform.ts.
 * Rows are seeded straight into each subgraph's own database (passwords would cost a scrypt each);
 * projects go through the projects subgraph's own `createProject` command, so its event log and
 * read model agree.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { asRouter, bearer, graphql } from '@supergraph/testing';
import { createProject } from '@supergraph/projects/src/domain/commands';
import { startPlatform, type Platform } from './platform';
import { scrape, sumSamples } from './prometheus';

const option = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1]! : fallback;
};
const SIZES = option('sizes', '10,1000').split(',').map(Number);
const REPEAT = Number(option('repeat', '3'));
const PROJECTS_PER_USER = 2;
const PAYMENTS_PER_USER = 2;
const ADMIN_EMAIL = 'bench-admin@example.com';

const QUERY = `query UsersWithEverything($first: Int!) {
  users(first: $first) {
    edges {
      node {
        id displayName tier
        projects { id name visibility }
        payments { id amount currency status }
        wallets { address ethBalance forgeBalance recentTransfers(first: 3) { hash } }
        leadScore { score band }
      }
    }
  }
}`;

interface UserNode {
  projects: unknown[];
  payments: unknown[];
  wallets: unknown[];
  leadScore: { score: number } | null;
}

/** What one operation cost, per subgraph. */
interface Cost {
  sqlStatements: Record<'users' | 'projects' | 'payments' | 'blockchain', number>;
  rpcCalls: number;
  /** HTTP round trips to the node: viem sends calls started together as one batch (up to its batchSize). */
  rpcRounds: number;
  modelCalls: number;
  /** Fetches the router made to each subgraph (plan steps that reached it). */
  fetches: Record<string, number>;
  milliseconds: number;
}

async function main(): Promise<void> {
  const largest = Math.max(...SIZES);
  const platform = await startPlatform({
    ADMIN_EMAILS: ADMIN_EMAIL,
    USERS_MAX_PAGE_SIZE: String(largest),
    // The router's cost estimate multiplies `first` through the selection; this query is meant to be big.
    LIMIT_MAX_COST: String(largest * 100),
    // Blockchain's chain follower and payout jobs poll its database in the background; their
    // statements are not the query's, so they wait an hour between polls here.
    BLOCKCHAIN_POLL_INTERVAL_MS: String(3600_000),
  });
  try {
    const seeding = performance.now();
    await seed(platform, largest);
    const seedSeconds = (performance.now() - seeding) / 1000;
    const token = await adminToken(platform);

    const rows = [];
    for (const n of SIZES) {
      const runs: Cost[] = [];
      for (let i = 0; i < REPEAT; i++) runs.push(await measure(platform, token, n));
      rows.push({ n, ...medianCost(runs) });
    }
    console.log(
      JSON.stringify(
        {
          projectsPerUser: PROJECTS_PER_USER,
          paymentsPerUser: PAYMENTS_PER_USER,
          walletsPerUser: 1,
          repeat: REPEAT,
          seedSeconds: Number(seedSeconds.toFixed(1)),
          rows,
        },
        null,
        2,
      ),
    );
  } finally {
    await platform.stop();
  }
}

/** `count` users, each with projects, payments and one linked wallet, listed before anyone who registers later. */
async function seed(platform: Platform, count: number): Promise<void> {
  const since = Date.now() - 24 * 3600_000;
  const users = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    email: `bench-${i}@example.com`,
    displayName: `Bench user ${i}`,
    tier: (['FREE', 'PRO', 'ENTERPRISE'] as const)[i % 3]!,
    createdAt: new Date(since + i * 1000),
  }));
  await platform.users.database.prisma.user.createMany({ data: users });
  await platform.users.database.prisma.wallet.createMany({ data: users.map((user) => ({ userId: user.id, address: `0x${randomBytes(20).toString('hex')}` })) });
  await platform.payments.database.prisma.payment.createMany({
    data: users.flatMap((user) =>
      Array.from({ length: PAYMENTS_PER_USER }, (_, i) => ({
        userId: user.id,
        amount: 1000 * (i + 1),
        currency: 'USD',
        method: 'FIAT' as const,
        status: 'SUCCEEDED' as const,
        idempotencyKey: randomUUID(),
      })),
    ),
  });
  const env = { prisma: platform.projects.database.prisma, limits: platform.config.projects };
  const commands = users.flatMap((user) =>
    Array.from({ length: PROJECTS_PER_USER }, (_, i) => () => createProject(env, user.id, { name: `Project ${i}`, description: null, visibility: null })),
  );
  // A few commands at a time: each is a transaction on the event log.
  for (let i = 0; i < commands.length; i += 16) await Promise.all(commands.slice(i, i + 16).map((command) => command()));
}

async function adminToken(platform: Platform): Promise<string> {
  const response = await graphql<{ register: { token: string } }>(
    platform.graphqlUrl,
    'mutation ($email: String!) { register(email: $email, password: "correct horse battery") { token } }',
    { email: ADMIN_EMAIL },
  );
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data!.register.token;
}

async function measure(platform: Platform, token: string, n: number): Promise<Cost> {
  const before = await counters(platform);
  const started = performance.now();
  const response = await graphql<{ users: { edges: { node: UserNode }[] } }>(platform.graphqlUrl, QUERY, { first: n }, bearer(token));
  const milliseconds = performance.now() - started;
  const after = await counters(platform);
  checkComplete(response, n);
  const diff = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.keys(b).map((key) => [key, (b[key] ?? 0) - (a[key] ?? 0)]));
  return {
    sqlStatements: diff(before.sqlStatements, after.sqlStatements) as Cost['sqlStatements'],
    rpcCalls: after.rpcCalls - before.rpcCalls,
    rpcRounds: roundsSince(platform, before.lastRound),
    modelCalls: after.modelCalls - before.modelCalls,
    fetches: diff(before.fetches, after.fetches),
    milliseconds,
  };
}

/** Rounds the blockchain client sent after `marker` (its log keeps the last 1,000; each entry is a new array). */
function roundsSince(platform: Platform, marker: string[] | undefined): number {
  const rounds = platform.blockchain.clients.httpRounds();
  return rounds.length - 1 - (marker ? rounds.lastIndexOf(marker) : -1);
}

async function counters(platform: Platform): Promise<Omit<Cost, 'milliseconds' | 'rpcRounds'> & { lastRound: string[] | undefined }> {
  const [router, ai, blockchain] = await Promise.all([
    scrape(`${platform.router.url}/metrics`),
    // The AI subgraph shows its metrics to the router (a signed request) or to a configured token.
    scrape(`${platform.aiUrl}/metrics`, asRouter(undefined, platform.config.routerSigningSecret)),
    platform.blockchain.metrics.registry.metrics(),
  ]);
  return {
    sqlStatements: {
      users: platform.users.database.sqlStatements(),
      projects: platform.projects.database.sqlStatements(),
      payments: platform.payments.database.sqlStatements(),
      blockchain: platform.blockchain.database.sqlStatements(),
    },
    rpcCalls: sumSamples(blockchain, 'blockchain_rpc_request_duration_seconds_count')[''] ?? 0,
    lastRound: platform.blockchain.clients.httpRounds().at(-1),
    modelCalls: sumSamples(ai, 'ai_inference_batch_size_count', { labels: { operation: 'lead_score' } })[''] ?? 0,
    fetches: sumSamples(router, 'router_subgraph_fetch_duration_seconds_count', { by: 'subgraph' }),
  };
}

/** A count is only worth something if the answer is whole: N users, each with everything seeded. */
function checkComplete(response: Awaited<ReturnType<typeof graphql<{ users: { edges: { node: UserNode }[] } }>>>, n: number): void {
  if (response.errors) throw new Error(`the query failed: ${JSON.stringify(response.errors).slice(0, 2000)}`);
  const nodes = response.data!.users.edges.map((edge) => edge.node);
  const whole = (node: UserNode) =>
    node.projects.length === PROJECTS_PER_USER && node.payments.length === PAYMENTS_PER_USER && node.wallets.length === 1 && node.leadScore !== null;
  if (nodes.length !== n || !nodes.every(whole)) throw new Error(`expected ${n} complete users, got ${nodes.filter(whole).length} of ${nodes.length}`);
}

/** The median of each count over the runs: a background job's stray statement does not show. */
function medianCost(runs: Cost[]): Cost {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const each = <K extends string>(pick: (cost: Cost) => Record<K, number>) =>
    Object.fromEntries(Object.keys(pick(runs[0]!)).map((key) => [key, median(runs.map((run) => pick(run)[key as K] ?? 0))])) as Record<K, number>;
  return {
    sqlStatements: each((cost) => cost.sqlStatements),
    rpcCalls: median(runs.map((run) => run.rpcCalls)),
    rpcRounds: median(runs.map((run) => run.rpcRounds)),
    modelCalls: median(runs.map((run) => run.modelCalls)),
    fetches: each((cost) => cost.fetches),
    milliseconds: Math.round(median(runs.map((run) => run.milliseconds))),
  };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
