/**
 * Keeps a set of services running, each a shell command in a process group of its own: one that
 * exits while the platform is not stopping is restarted after a delay that doubles with each
 * crash in a row, and the log says so, so one crashed service never takes the others down.
 * `stop()` (Ctrl-C, SIGTERM) stops them all and restarts nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface SupervisorOptions {
  /** Delay before restarting a service that crashed once (default 1000 ms); doubles with each crash in a row. */
  restartBaseMs?: number;
  /** Longest delay between restarts (default 30000 ms). */
  restartMaxMs?: number;
  /** A service that ran this long before it exited (default 60000 ms) is restarted after the base delay again. */
  stableAfterMs?: number;
  /** Where the supervisor's own lines go (default stderr). */
  log?: (line: string) => void;
}

export interface ServiceSpec {
  name: string;
  /** Run with `sh -c` in `cwd`. */
  command: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Where its output goes (default: inherited). */
  stdio?: 'inherit' | 'ignore';
}

interface Running {
  spec: ServiceSpec;
  child: ChildProcess;
  startedAt: number;
  /** Crashes in a row, each without a stable run before it. */
  crashes: number;
  restartTimer?: NodeJS.Timeout;
}

export class Supervisor {
  private readonly services = new Map<string, Running>();
  private stopping = false;
  private readonly restartBaseMs: number;
  private readonly restartMaxMs: number;
  private readonly stableAfterMs: number;
  private readonly log: (line: string) => void;

  constructor(options: SupervisorOptions = {}) {
    this.restartBaseMs = options.restartBaseMs ?? 1000;
    this.restartMaxMs = options.restartMaxMs ?? 30_000;
    this.stableAfterMs = options.stableAfterMs ?? 60_000;
    this.log = options.log ?? ((line) => console.error(line));
  }

  start(spec: ServiceSpec): void {
    const previous = this.services.get(spec.name);
    const running: Running = { spec, child: this.spawn(spec), startedAt: Date.now(), crashes: previous?.crashes ?? 0 };
    this.services.set(spec.name, running);
    running.child.on('exit', (code, signal) => this.exited(running, code, signal));
  }

  /** The pid of the service's process group leader (the shell), while it runs. */
  pid(name: string): number | undefined {
    const running = this.services.get(name);
    return running && running.child.exitCode === null && running.child.signalCode === null ? running.child.pid : undefined;
  }

  /** Stops every service (SIGTERM to each process group) and restarts none; resolves once all have exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    const exits: Promise<unknown>[] = [];
    for (const running of this.services.values()) {
      clearTimeout(running.restartTimer);
      const { child } = running;
      if (child.exitCode !== null || child.signalCode !== null) continue;
      exits.push(new Promise((done) => child.once('exit', done)));
      signalGroup(child, 'SIGTERM');
    }
    await Promise.all(exits);
  }

  private spawn(spec: ServiceSpec): ChildProcess {
    // A process group of its own, so stopping it also stops what the command started beneath it.
    return spawn('sh', ['-c', spec.command], { cwd: spec.cwd, stdio: spec.stdio ?? 'inherit', detached: true, env: spec.env ?? process.env });
  }

  private exited(running: Running, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    // What the command started may outlive its shell (and hold the port the restart needs).
    signalGroup(running.child, 'SIGKILL');
    const stable = Date.now() - running.startedAt >= this.stableAfterMs;
    running.crashes = stable ? 1 : running.crashes + 1;
    const delayMs = Math.min(this.restartMaxMs, this.restartBaseMs * 2 ** (running.crashes - 1));
    const status = signal ?? (code === null ? 'unknown' : String(code));
    this.log(`platform: ${running.spec.name} exited (${status}); restarting it in ${(delayMs / 1000).toFixed(1)} s (crash ${running.crashes} in a row)`);
    running.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.log(`platform: restarting ${running.spec.name}`);
      this.start(running.spec);
    }, delayMs);
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
