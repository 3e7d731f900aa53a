/**
 * The small SQL surface that migrations and tests need, the same over a `pg` pool and over PGlite.
 * Application code queries through Prisma; this is for plumbing only.
 */
export interface SqlQueryable {
  /** One statement with `$1`-style parameters (extended protocol). */
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** A multi-statement script without parameters (simple protocol), such as a migration.sql. */
  exec(script: string): Promise<void>;
}

export interface SqlExecutor extends SqlQueryable {
  /** Runs `fn` inside BEGIN … COMMIT on one connection; rolls back and rethrows when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` with every statement on one and the same connection, for session state such as
   * advisory locks. A pool would otherwise hand each statement to whichever connection is free.
   */
  session<T>(fn: (session: SqlExecutor) => Promise<T>): Promise<T>;
}
