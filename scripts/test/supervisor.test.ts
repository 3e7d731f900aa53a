import { freePort } from '@supergraph/testing';
import { Supervisor } from '../supervisor';

/**
 * The embedded platform's supervisor (what `npm start` runs every service under): a crashed
 * service comes back by itself, after a delay that doubles with each crash in a row, said in the
 * log, while the others run on untouched; stopping the platform stops them all for good.
 */
jest.setTimeout(60_000);

// A platform-like service: an HTTP server answering /health with its pid, as each of ours answers /health.
const SERVICE = `exec node -e "require('node:http').createServer((request, response) => response.end(String(process.pid))).listen(Number(process.env.PORT), '127.0.0.1')"`;
const NAMES = ['users', 'payments', 'router'];

let supervisor: Supervisor;
const log: string[] = [];
const ports = new Map<string, number>();

beforeAll(async () => {
  supervisor = new Supervisor({ restartBaseMs: 100, restartMaxMs: 1000, stableAfterMs: 60_000, log: (line) => void log.push(line) });
  for (const name of NAMES) {
    ports.set(name, await freePort());
    supervisor.start({ name, command: SERVICE, cwd: __dirname, env: { ...process.env, PORT: String(ports.get(name)) }, stdio: 'ignore' });
  }
  for (const name of NAMES) await healthPid(name);
});
afterAll(() => supervisor?.stop());

/** The pid that answers the service's /health, once it answers. */
async function healthPid(name: string, unlike?: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const pid = await fetch(`http://127.0.0.1:${ports.get(name)}/health`).then(
      async (response) => Number(await response.text()),
      () => undefined,
    );
    if (pid !== undefined && pid !== unlike) return pid;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${name} did not answer /health${unlike ? ` from another process than ${unlike}` : ''}`);
}

/** What the OOM killer does: SIGKILL to the service's processes. */
const crash = (name: string) => process.kill(-supervisor.pid(name)!, 'SIGKILL');

test('restarts a killed service with backoff, says so, and leaves the others running', async () => {
  const before = new Map(await Promise.all(NAMES.map(async (name) => [name, await healthPid(name)] as const)));

  crash('payments');
  const first = await healthPid('payments', before.get('payments'));
  crash('payments');
  await healthPid('payments', first);

  expect(log).toEqual([
    'platform: payments exited (SIGKILL); restarting it in 0.1 s (crash 1 in a row)',
    'platform: restarting payments',
    'platform: payments exited (SIGKILL); restarting it in 0.2 s (crash 2 in a row)',
    'platform: restarting payments',
  ]);
  expect(await healthPid('users')).toBe(before.get('users'));
  expect(await healthPid('router')).toBe(before.get('router'));
});

test('stopping (Ctrl-C, SIGTERM) stops every service and restarts none', async () => {
  const pids = NAMES.map((name) => supervisor.pid(name)!);
  await supervisor.stop();
  for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  for (const name of NAMES) {
    await expect(fetch(`http://127.0.0.1:${ports.get(name)}/health`)).rejects.toThrow();
    expect(supervisor.pid(name)).toBeUndefined();
  }
  expect(log.filter((line) => line.includes('exited'))).toHaveLength(2);
});
