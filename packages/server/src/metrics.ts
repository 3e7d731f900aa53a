import type { ServerResponse } from 'node:http';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The same buckets as the router's, so a subgraph's latency lines up with the router's fetch latency. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Operation names are client-chosen: past this many distinct ones, new names count as "other". */
const MAX_OPERATION_NAMES = 200;
/** The statement kinds a database query is labelled with (the first SQL keyword); anything else is "other". */
const STATEMENT_KINDS = new Set(['select', 'insert', 'update', 'delete', 'begin', 'commit', 'rollback']);

/** What a database offers to be watched: each statement's duration, and its connection pool (Postgres only). */
export interface ObservableDatabase {
  onQuery(listener: (query: { sql: string; durationMs: number }) => void): void;
  poolStats(): { total: number; idle: number; waiting: number } | undefined;
}

/**
 * What every TypeScript service exports on /metrics, in a registry of its own (tests run several
 * services in one process): GraphQL requests and root resolvers, errors by code, database
 * statements and pool, event bus traffic and outbox lag. Every series carries `service`; each
 * subgraph adds its domain metrics to `registry` under its own prefix. Node's process metrics
 * come with the service's prefix (`users_process_cpu_seconds_total`, `users_nodejs_eventloop_lag_seconds`),
 * as the router's come with `router_`.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly operationLabel = operationLabels();
  private readonly outboxes: (() => Promise<number>)[] = [];
  private readonly pools: ObservableDatabase[] = [];

  readonly requests = new Counter({
    name: 'subgraph_requests_total',
    help: 'GraphQL operations by operation name and outcome (success, error).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: 'subgraph_request_duration_seconds',
    help: 'Whole GraphQL operation in the subgraph, by operation name and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly resolverDuration = new Histogram({
    name: 'subgraph_resolver_duration_seconds',
    help: 'Root field resolvers (Query, Mutation, and _entities for references), by field.',
    labelNames: ['field'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'subgraph_errors_total',
    help: 'GraphQL errors in responses, by extensions.code (packages/server/src/error-codes.ts, or Apollo Server’s own).',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly queryDuration = new Histogram({
    name: 'subgraph_db_query_duration_seconds',
    help: 'Database statements sent by Prisma, by kind (select, insert, update, delete, begin, commit, rollback, other).',
    labelNames: ['statement'] as const,
    buckets: QUERY_BUCKETS,
    registers: [this.registry],
  });
  readonly eventsPublished = new Counter({
    name: 'subgraph_events_published_total',
    help: 'Events this process published on the event bus, by channel.',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });
  readonly eventsReceived = new Counter({
    name: 'subgraph_events_received_total',
    help: 'Events this process received from the event bus, by channel (once per subscriber).',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: `${service.replaceAll('-', '_')}_` });
    const outboxes = this.outboxes;
    new Gauge({
      name: 'outbox_lag_seconds',
      help: 'Age of the oldest outbox event written but not yet published (0 when all are published).',
      registers: [this.registry],
      async collect() {
        const lags = await Promise.all(outboxes.map((lag) => lag().catch(() => 0)));
        this.set(Math.max(0, ...lags));
      },
    });
    const pools = this.pools;
    new Gauge({
      name: 'subgraph_db_pool_connections',
      help: 'Database connections by state: total, idle, and waiting (callers queued for a connection). Postgres only.',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const stats of pools.map((pool) => pool.poolStats())) {
          if (!stats) continue;
          for (const [state, value] of Object.entries(stats)) this.inc({ state }, value);
        }
      },
    });
  }

  /** Times the database's statements and reads its pool at each scrape. */
  observeDatabase(database: ObservableDatabase): void {
    database.onQuery(({ sql, durationMs }) => this.queryDuration.observe({ statement: statementKind(sql) }, durationMs / 1000));
    this.pools.push(database);
  }

  /** Reads an outbox's lag (seconds) at each scrape. */
  observeOutbox(lagSeconds: () => Promise<number>): void {
    this.outboxes.push(lagSeconds);
  }

  /** The bus, counting what passes through it for this service (its other members are the bus's own, read through). */
  countEvents<
    T extends {
      publish(channel: string, payload: unknown): Promise<string>;
      subscribe<E>(channel: string): AsyncIterableIterator<E>;
      resume<E>(channel: string, after?: string | null): Promise<AsyncIterableIterator<E>>;
      close(): Promise<void>;
    },
  >(bus: T): T {
    const { eventsPublished, eventsReceived } = this;
    const counted = <E>(channel: string, inner: AsyncIterableIterator<E>): AsyncIterableIterator<E> => {
      const iterator: AsyncIterableIterator<E> = Object.assign(Object.create(inner) as AsyncIterableIterator<E>, {
        next: async (...args: [] | [unknown]) => {
          const result = await inner.next(...args);
          if (!result.done) eventsReceived.inc({ channel });
          return result;
        },
        [Symbol.asyncIterator]: () => iterator,
      });
      return iterator;
    };
    return Object.assign(Object.create(bus) as T, {
      close: () => bus.close(),
      publish: async (channel: string, payload: unknown) => {
        const position = await bus.publish(channel, payload);
        eventsPublished.inc({ channel });
        return position;
      },
      subscribe: <E>(channel: string): AsyncIterableIterator<E> => counted(channel, bus.subscribe<E>(channel)),
      resume: async <E>(channel: string, after?: string | null): Promise<AsyncIterableIterator<E>> => counted(channel, await bus.resume<E>(channel, after)),
    });
  }

  /** Counts and times every operation, its root resolvers and its errors. */
  plugin<TContext extends object>(): ApolloServerPlugin<TContext> {
    return {
      requestDidStart: async () => {
        const started = performance.now();
        const listener: GraphQLRequestListener<TContext> = {
          executionDidStart: async () => ({
            willResolveField: ({ info }) => {
              if (info.path.prev !== undefined) return;
              const field = `${info.parentType.name}.${info.fieldName}`;
              const fieldStarted = performance.now();
              return () => this.resolverDuration.observe({ field }, (performance.now() - fieldStarted) / 1000);
            },
          }),
          didEncounterErrors: async ({ errors }) => {
            for (const error of errors) this.errors.inc({ code: String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR') });
          },
          willSendResponse: async ({ operationName, errors, response }) => {
            const failed = Boolean(errors?.length) || (response.body.kind === 'single' && Boolean(response.body.singleResult.errors?.length));
            const labels = { operation: this.operationLabel(operationName), outcome: failed ? 'error' : 'success' };
            this.requests.inc(labels);
            this.requestDuration.observe(labels, (performance.now() - started) / 1000);
          },
        };
        return listener;
      },
    };
  }

  serve(response: ServerResponse): Promise<void> {
    return serveRegistry(this.registry, response);
  }
}

/** Answers a scrape with a registry's metrics in Prometheus' text format. */
export async function serveRegistry(registry: Registry, response: ServerResponse): Promise<void> {
  const body = await registry.metrics();
  response.writeHead(200, { 'content-type': registry.contentType });
  response.end(body);
}

/**
 * Labels for client-chosen operation names, bounded: the first MAX_OPERATION_NAMES names are kept,
 * later ones become "other", and an unnamed operation is "anonymous".
 */
export function operationLabels(): (name: string | null | undefined) => string {
  const names = new Set<string>();
  return (name) => {
    if (!name) return 'anonymous';
    if (names.has(name)) return name;
    if (names.size >= MAX_OPERATION_NAMES) return 'other';
    names.add(name);
    return name;
  };
}

function statementKind(sql: string): string {
  const keyword = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? '';
  return STATEMENT_KINDS.has(keyword) ? keyword : 'other';
}
