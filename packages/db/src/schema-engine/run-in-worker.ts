import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EngineCommand, EngineOutput, EngineRequest } from './wasm-engine';
import type { WorkerReply } from './worker';

/**
 * Runs a schema-engine command in a worker thread. Why a thread: the engine's JavaScript glue is an
 * ES module, which jest's module system (CommonJS here, with no transform for node_modules) cannot
 * load, while a worker is plain Node (≥ 20.19 requires ES modules). It also keeps the engine's
 * Wasm memory out of the caller once the command is done.
 */
export function runSchemaEngine<C extends EngineCommand>(request: EngineRequest<C>): Promise<EngineOutput<C>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'worker-entry.js'), { workerData: request });
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
