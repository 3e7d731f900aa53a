// Prisma's schema engine (the Rust code behind `prisma migrate`) compiled to WebAssembly, talking to
// Postgres through a driver adapter instead of the native binary this machine cannot download. It is
// loaded the way @prisma/internals' wasmSchemaEngineLoader does it; that loader itself is unusable
// from npm, as it looks for the .wasm in a build/ folder that only the Prisma CLI's bundle has.
// Runs inside a worker thread: see run-in-worker.ts.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg' with { 'resolution-mode': 'import' };
import { schemaEnginePool } from './char-columns';

type Runtime = typeof import('@prisma/schema-engine-wasm/schema_engine_bg', { with: { 'resolution-mode': 'import' } });

// The repo's lib setting (ES2023, no DOM) has no WebAssembly typings; this is all we use of it.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, object>) => { exports: Record<string, unknown> };
};

const GLUE = '@prisma/schema-engine-wasm/schema_engine_bg';

function loadRuntime(): Runtime {
  // The glue is an ES module, which Node ≥ 20.19 can require(); import() would make every caller async.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const glue = require(GLUE) as Runtime;
  const wasm = readFileSync(join(dirname(require.resolve(GLUE)), 'schema_engine_bg.wasm'));
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm), { './schema_engine_bg.js': glue });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return glue;
}

export interface SchemaFile {
  path: string;
  content: string;
}

/** The engine commands we use, with their input and output types from the engine's own typings. */
export type EngineCommand = 'diff' | 'diagnoseMigrationHistory';
export type EngineInput<C extends EngineCommand> = Parameters<SchemaEngine[C]>[0];
export type EngineOutput<C extends EngineCommand> = Awaited<ReturnType<SchemaEngine[C]>>;

export interface EngineRequest<C extends EngineCommand = EngineCommand> {
  /** The Postgres database the engine sees as "the datasource". */
  url: string;
  schemaFiles: SchemaFile[];
  command: C;
  input: EngineInput<C>;
}

/** Runs one engine command against the Postgres database at `url`, then frees the engine and pool. */
export async function runEngineCommand<C extends EngineCommand>(request: EngineRequest<C>): Promise<EngineOutput<C>> {
  const { SchemaEngine } = loadRuntime();
  const pool = schemaEnginePool(request.url);
  try {
    const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg(pool));
    const datamodels = request.schemaFiles.map((file): [string, string] => [file.path, file.content]);
    const engine = await SchemaEngine.new({ datamodels }, () => undefined, adapter);
    try {
      const command = engine[request.command] as (input: EngineInput<C>) => Promise<EngineOutput<C>>;
      return await command.call(engine, request.input);
    } finally {
      engine.free();
    }
  } finally {
    await pool.end();
  }
}
