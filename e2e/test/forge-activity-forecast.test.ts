import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { REPO_ROOT } from '@supergraph/config';
import { bearer, graphql } from '@supergraph/testing';
import { startUsersHarness } from '@supergraph/users/test/harness';
import { signUp } from './accounts';
import { startChainStack, type ChainStack } from './chain-stack';
import { fundWallet } from './forge-wallets';
import { startAiSubgraph } from './python-subgraph';
import { TestStack } from './stack';

/**
 * The forecaster learns the platform's own $FORGE activity: real transfers on a local EVM, stored by
 * the blockchain subgraph's chain follower, read by the AI subgraph's training entry point through the
 * blockchain's service-only transfer feed (signed, never through the router), and forecast day by day
 * through the router by the model that training saved, which the running AI subgraph picks up.
 */
jest.setTimeout(400_000);

const stack = new TestStack();
let chain: ChainStack;
let url: string;
let token: string;
let aiEnv: Record<string, string>;

beforeAll(async () => {
  const users = await stack.add(startUsersHarness());
  chain = await stack.add(startChainStack('e2e_forge_activity'));
  const aiData = mkdtempSync(join(tmpdir(), 'ai-forecast-'));
  stack.defer(() => rmSync(aiData, { recursive: true, force: true }));
  aiEnv = {
    AI_DATA_DIR: aiData,
    AI_BLOCKCHAIN_URL: `${chain.blockchain.url}/graphql`,
    ROUTER_SIGNING_SECRET: chain.config.routerSigningSecret,
    REDIS_URL: '',
  };
  const ai = await stack.add(startAiSubgraph(chain.config.routerSigningSecret, aiEnv));
  ({ url } = await stack.router({ users: users.url, blockchain: `${chain.blockchain.url}/graphql`, ai: ai.url }));
  token = await signUp(url, 'forecaster@example.com');
});
afterAll(() => stack.stop());

interface Forecast {
  asset: string;
  unit: string;
  lastDate: string;
  lastValue: number;
  modelVersion: string;
  points: { step: number; date: string; value: number; lower: number; upper: number }[];
  members: { name: string; weight: number }[];
}
const FORECAST = `query ($horizon: Int!) {
  priceForecast(asset: "FORGE_TRANSFER_VOLUME", horizon: $horizon) { asset unit lastDate lastValue modelVersion points { step date value lower upper } members { name weight } }
}`;

async function forecast(horizon: number) {
  return graphql<{ priceForecast: Forecast | null }>(url, FORECAST, { horizon }, bearer(token));
}

test("training reads the chain's real transfers through the blockchain feed and the forecast of their daily volume answers through the router", async () => {
  const before = await forecast(7);
  const versionBefore = before.data?.priceForecast?.modelVersion;

  // Real transfers from the treasury on the local chain, stored by the follower once mined.
  const amounts = [3n, 5n, 12n].map((forge) => forge * 10n ** 18n);
  for (const amount of amounts) await fundWallet(chain, privateKeyToAccount(generatePrivateKey()).address, amount);
  await chain.chain.mine(3);
  const prisma = chain.blockchain.database.prisma;
  const deadline = Date.now() + 30_000;
  while ((await prisma.tokenTransfer.count({ where: { value: { in: amounts.map(String) } } })) < amounts.length) {
    if (Date.now() > deadline) throw new Error('the follower did not store the transfers');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  // The training entry point, as an operator runs it, on the AI subgraph's data folder.
  await promisify(execFile)(join(REPO_ROOT, 'subgraphs/ai/.venv/bin/python'), ['-m', 'supergraph_ai.training.train', '--only', 'price-forecast'], {
    cwd: join(REPO_ROOT, 'subgraphs/ai'),
    env: { ...process.env, ...aiEnv },
    timeout: 300_000,
  });

  const today = new Date().toISOString().slice(0, 10);
  // Between holders: the deployment's mint of the whole supply (from the zero address) is not activity.
  const zero = `0x${'0'.repeat(40)}`;
  const stored = await prisma.tokenTransfer.findMany({ where: { status: { not: 'REMOVED' }, fromAddress: { not: zero }, toAddress: { not: zero } } });
  const todays = stored.filter((row) => row.createdAt.toISOString().slice(0, 10) === today);
  const volumeToday = Number(todays.reduce((sum, row) => sum + BigInt(row.value), 0n)) / 1e18;
  expect(volumeToday).toBe(20);

  const response = await forecast(7);
  expect(response.errors).toBeUndefined();
  const answer = response.data!.priceForecast!;
  expect(answer.modelVersion).toMatch(/^price-forecast-v2@\d{8}T/);
  expect(answer.modelVersion).not.toBe(versionBefore);
  expect(answer).toMatchObject({ asset: 'FORGE_TRANSFER_VOLUME', unit: 'FORGE/day', lastDate: today, members: [{ name: 'croston_sba', weight: 1 }] });
  expect(answer.lastValue).toBeCloseTo(volumeToday, 6);
  expect(answer.points.map((point) => point.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(answer.points[0]!.date).toBe(new Date(Date.parse(today) + 86_400_000).toISOString().slice(0, 10));
  for (const point of answer.points) {
    expect(point.lower).toBeGreaterThanOrEqual(0);
    expect(point.lower).toBeLessThanOrEqual(point.value);
    expect(point.value).toBeLessThanOrEqual(point.upper);
    expect(point.value).toBeGreaterThan(0);
  }

  // More than the daily model looks ahead is refused with the argument named.
  const tooFar = await forecast(15);
  expect(tooFar.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'horizon' });
});
