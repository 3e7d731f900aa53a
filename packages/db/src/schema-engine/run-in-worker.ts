import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EngineCommand, EngineOutput, EngineRequest } from './wasm-engine';
import type { WorkerReply } from './worker';

/**
 * A thread starts as plain Node, without its parent's TypeScript loader: from source (tsx, jest) it
 * gets tsx's, so worker.ts can stay TypeScript; compiled (dist/), worker.js needs none.
 */
const WORKER_EXEC_ARGV = extname(__filename) === '.ts' ? ['--require', require.resolve('tsx/cjs')] : [];

/**
 * Runs a schema-engine command in a worker thread. Why a thread: the engine's JavaScript glue is an
 * ES module, which jest's module system (CommonJS here, with no transform for node_modules) cannot
 * load, while a worker is plain Node (≥ 20.19 requires ES modules). It also keeps the engine's
 * Wasm memory out of the caller once the command is done.
 */
export function runSchemaEngine<C extends EngineCommand>(request: EngineRequest<C>): Promise<EngineOutput<C>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(__dirname, `worker${extname(__filename)}`), { workerData: request, execArgv: WORKER_EXEC_ARGV });
    let reply: WorkerReply | undefined;
    worker.once('message', (message: WorkerReply) => (reply = message));
    worker.once('error', reject);
    // Settle on exit, so no thread outlives the call (jest then exits cleanly).
    worker.once('exit', (code) => {
      if (reply?.ok) resolve(reply.output as EngineOutput<C>);
      else reject(new Error(`Prisma schema engine (${request.command}): ${reply?.message ?? `worker exited with code ${code}`}`));
    });
  });
}
