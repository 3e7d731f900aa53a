// Body of the schema-engine worker thread (started by run-in-worker.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { runEngineCommand, type EngineRequest } from './wasm-engine';

export type WorkerReply = { ok: true; output: unknown } | { ok: false; message: string };

function reply(message: WorkerReply): void {
  parentPort?.postMessage(message);
}

runEngineCommand(workerData as EngineRequest).then(
  (output) => reply({ ok: true, output }),
  (error: unknown) => reply({ ok: false, message: error instanceof Error ? error.message : String(error) }),
);
