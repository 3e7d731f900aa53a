import pg from 'pg';

// Postgres's one-byte "char" type (pg_class.relkind, pg_constraint.contype, …). @prisma/adapter-pg
// 7.10 has no mapping for it and fails with UnsupportedNativeDataType, so the schema engine cannot
// read the catalog through it. Relabelled as text, the values ("r", "f", …) read correctly.
const CHAR_OID = 18;
const TEXT_OID = 25;

function relabel<R>(result: R): R {
  for (const part of Array.isArray(result) ? result : [result]) {
    for (const field of (part as Partial<pg.QueryResult> | undefined)?.fields ?? []) {
      if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

type QueryFn = (...args: unknown[]) => unknown;

/** Wraps a client's query() so that "char" result columns are reported as text. */
function relabelCharColumns(client: pg.PoolClient): void {
  const original = client.query.bind(client) as QueryFn;
  const patched: QueryFn = (...args) => {
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      // pg-pool's own pool.query() passes a callback.
      args[args.length - 1] = (error: unknown, result: unknown) => callback(error, error ? result : relabel(result));
      return original(...args);
    }
    const returned = original(...args);
    return returned instanceof Promise ? returned.then(relabel) : returned;
  };
  client.query = patched as typeof client.query;
}

/** A pool for the schema engine: every connection it opens gets the "char" workaround. */
export function schemaEnginePool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, application_name: 'schema-engine-wasm' });
  pool.on('connect', relabelCharColumns);
  return pool;
}
