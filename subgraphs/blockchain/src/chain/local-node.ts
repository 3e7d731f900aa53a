import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface LocalChainOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  chainId: number;
  /** 0 mines a block for each transaction at once; otherwise one block every N seconds. */
  blockTimeSeconds: number;
  /** Where the chain persists between starts; none keeps it in memory. */
  dbPath?: string;
}

export interface LocalChain {
  httpUrl: string;
  wsUrl: string;
  chainId: number;
  stop(): Promise<void>;
}

/** Starts the embedded EVM node in a child process and resolves once it serves JSON-RPC. */
export async function startLocalChain(options: LocalChainOptions): Promise<LocalChain> {
  const child = fork(join(__dirname, 'local-node-entry.js'), [JSON.stringify(options)], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    // The child is plain JavaScript: no TypeScript loader (tsx, jest) needs to follow it.
    execArgv: [],
  });
  let stderr = '';
  // Keep the readable end of stderr (Ganache prints lines of minified source before a stack).
  child.stderr?.on(
    'data',
    (chunk: Buffer) =>
      (stderr = (stderr + chunk.toString())
        .split('\n')
        .filter((line) => line.length < 500)
        .join('\n')
        .slice(-4000)),
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`local chain exited (${code}) before it was ready: ${stderr.trim()}`)));
    child.on('message', (message: { ready?: { port: number }; error?: string }) => {
      if (message.ready) resolve(message.ready.port);
      else if (message.error) reject(new Error(`local chain failed to start: ${message.error}`));
    });
  });
  child.removeAllListeners('exit');
  const host = options.host ?? '127.0.0.1';
  return {
    httpUrl: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}`,
    chainId: options.chainId,
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
