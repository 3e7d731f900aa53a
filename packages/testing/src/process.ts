import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createServer } from 'node:net';

/** A port nothing listens on right now (the OS picks it), for servers that must be told their port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ProcessOptions {
  /** Named in errors: "the users subgraph did not answer within 60 s". */
  name: string;
  command: string;
  args: string[];
  spawn: SpawnOptions;
  /** True once the process serves what the test needs (it is polled every 200 ms). */
  answers(): Promise<boolean>;
  /** How long `answers` may take to become true. Default 60 s. */
  timeoutMs?: number;
}

/**
 * Spawns a child process and resolves once it answers. If it exits first or does not answer in
 * time, it is killed before the error is thrown: a failed start leaves no process behind.
 */
export async function startProcess(options: ProcessOptions): Promise<ChildProcess> {
  const child = spawn(options.command, options.args, options.spawn);
  // With stderr piped (stdio[2] = 'pipe'), its lines reach the test output named after the process.
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[${options.name}] ${chunk.toString()}`));
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${options.name} exited (${child.exitCode ?? child.signalCode}) before it answered`);
      if (await options.answers().catch(() => false)) return child;
      if (Date.now() > deadline) throw new Error(`${options.name} did not answer within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    await stopProcess(child, 'SIGKILL');
    throw error;
  }
}

/** Sends `signal` and resolves when the process has exited (at once if it already has). */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  return exited;
}

/** A process a test can crash (SIGKILL) and start again exactly as before: the same command, environment and port. */
export interface RestartableProcess {
  /** SIGKILL, as a crash or the OOM killer would: nothing is drained, nothing is flushed. */
  kill(): Promise<void>;
  /** Starts it again (killing it first if it still runs) and resolves once it answers. */
  restart(): Promise<void>;
  /** SIGTERM: a graceful stop. */
  stop(): Promise<void>;
}

/** Starts a process (see startProcess) that can be killed and restarted; `options` must fix its port so callers keep their URL. */
export async function startRestartableProcess(options: ProcessOptions): Promise<RestartableProcess> {
  let child = await startProcess(options);
  return {
    kill: () => stopProcess(child, 'SIGKILL'),
    restart: async () => {
      await stopProcess(child, 'SIGKILL');
      child = await startProcess(options);
    },
    stop: () => stopProcess(child),
  };
}
