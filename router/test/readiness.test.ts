import { probeSubgraph } from '../src/readiness';
import { CircuitBreaker, type BreakerState } from '../src/resilience';
import { catalog, type FakeSubgraph } from './fleet';

/**
 * Readiness tells the truth about a subgraph: ready only when it answers and its breaker lets the
 * router's fetches through. A real subgraph server answers the probes; the breaker runs on a clock
 * the test moves, so its reset time passes without waiting.
 */
const SECRET = 'test-router-signing-secret';
const RESET_MS = 30_000;

let subgraph: FakeSubgraph;
let now = 0;
let breaker: CircuitBreaker;
const transitions: BreakerState[] = [];

beforeAll(async () => {
  subgraph = await catalog();
});
afterAll(() => subgraph?.stop());
beforeEach(() => {
  now = 0;
  transitions.length = 0;
  subgraph.failWith = 0;
  subgraph.requests.length = 0;
  breaker = new CircuitBreaker(
    2,
    RESET_MS,
    (state) => transitions.push(state),
    () => now,
  );
});

const probe = () => probeSubgraph({ url: subgraph.url, breaker }, SECRET, 2_000);

function openBreaker(): void {
  breaker.failure();
  breaker.failure();
  expect(breaker.state).toBe('open');
}

test('a subgraph that answers, behind a closed breaker, is ready', async () => {
  expect(await probe()).toMatchObject({ ok: true });
  expect(breaker.state).toBe('closed');
});

test('a subgraph back up behind a breaker still open is not ready, and is not even asked', async () => {
  openBreaker();
  now = RESET_MS - 1;
  expect(await probe()).toMatchObject({ ok: false, error: 'circuit open' });
  expect(subgraph.requests).toHaveLength(0);
  expect(breaker.state).toBe('open');
});

test('once the reset time has passed, the probe is the half-open trial: its success closes the breaker and the subgraph is ready', async () => {
  openBreaker();
  now = RESET_MS;
  expect(await probe()).toMatchObject({ ok: true });
  expect(subgraph.requests).toHaveLength(1);
  expect(transitions).toEqual(['open', 'half-open', 'closed']);
});

test('a failed half-open trial reopens the breaker: not ready', async () => {
  openBreaker();
  now = RESET_MS;
  subgraph.failWith = 503;
  expect(await probe()).toMatchObject({ ok: false, error: 'HTTP 503' });
  expect(transitions).toEqual(['open', 'half-open', 'open']);
  now = RESET_MS + 1;
  subgraph.failWith = 0;
  expect(await probe()).toMatchObject({ ok: false, error: 'circuit open' });
});

test('a half-open breaker whose trial fetch is still out is not ready until that trial succeeds', async () => {
  openBreaker();
  now = RESET_MS;
  expect(breaker.allow()).toBe(true); // a query's fetch is the trial
  expect(await probe()).toMatchObject({ ok: false, error: 'circuit half-open' });
  breaker.success();
  expect(await probe()).toMatchObject({ ok: true });
});

test('failing probes count as the failures they are: they open the breaker of a subgraph that is down', async () => {
  subgraph.failWith = 503;
  expect(await probe()).toMatchObject({ ok: false });
  expect(await probe()).toMatchObject({ ok: false });
  expect(breaker.state).toBe('open');
});
