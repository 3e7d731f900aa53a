import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import NodeEnvironment from 'jest-environment-node';

/** Set in jest.config.js under `testEnvironmentOptions`. */
export interface TestFileLimits {
  /** A test file running longer than this fails its remaining tests and loses its processes. Default 5 minutes. */
  fileTimeLimitMs?: number;
}

const DEFAULT_FILE_TIME_LIMIT_MS = 5 * 60_000;
/** Marks every process a test file starts (children inherit the environment), orphans included. */
const FILE_MARK = 'SUPERGRAPH_TEST_FILE';

/**
 * Node's test environment with two guarantees jest lacks: a test file has a hard time limit
 * (jest only limits each test and hook), and no process a test file started outlives it.
 *
 * Past the limit, every test that has not started yet fails at once with a message naming the
 * limit, the running one fails within its own timeout, afterAll hooks still run to clean up, and
 * the processes the file started are killed. At the end of every file, processes it started and
 * left running are killed and named on stderr, so the harness that leaked them can be fixed.
 */
export default class TestFileEnvironment extends NodeEnvironment {
  private readonly testPath: string;
  private readonly limitMs: number;
  private readonly mark = randomBytes(8).toString('hex');
  private deadline: NodeJS.Timeout | undefined;
  private overLimit = false;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.testPath = context.testPath;
    const options = config.projectConfig.testEnvironmentOptions as TestFileLimits;
    this.limitMs = options.fileTimeLimitMs ?? DEFAULT_FILE_TIME_LIMIT_MS;
    // Children inherit the worker's environment, and tests spread the copy jest gives them.
    process.env[FILE_MARK] = this.mark;
    (this.global.process as NodeJS.Process).env[FILE_MARK] = this.mark;
  }

  override async setup(): Promise<void> {
    await super.setup();
    this.deadline = setTimeout(() => {
      this.overLimit = true;
      const killed = killMarkedProcesses(this.mark);
      process.stderr.write(
        `${this.testPath} exceeded its time limit of ${this.limitMs / 1000} s: its remaining tests fail` +
          (killed.length > 0 ? `; killed the processes it started: ${killed.join('; ')}` : '') +
          '\n',
      );
    }, this.limitMs);
    this.deadline.unref();
  }

  handleTestEvent(event: Circus.Event): void {
    // A test with an error before it starts runs neither its beforeEach hooks nor its body.
    if (event.name === 'test_start' && this.overLimit) {
      const error = new Error(`not run: the test file exceeded its time limit of ${this.limitMs / 1000} s (fileTimeLimitMs in jest.config.js)`);
      error.stack = error.message; // the place in this file that raised it helps nobody
      event.test.errors.push(error);
    }
  }

  override async teardown(): Promise<void> {
    clearTimeout(this.deadline);
    const leaked = killMarkedProcesses(this.mark);
    if (leaked.length > 0) process.stderr.write(`${this.testPath} left processes running; killed them: ${leaked.join('; ')}\n`);
    delete process.env[FILE_MARK];
    await super.teardown();
  }
}

/** SIGKILLs every process whose environment carries `mark`; returns "pid command" of each. */
function killMarkedProcesses(mark: string): string[] {
  const needle = `${FILE_MARK}=${mark}`;
  const killed: string[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(needle)) continue;
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 120);
      process.kill(pid, 'SIGKILL');
      killed.push(`${pid} ${command}`);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return killed;
}
