import type { ServerResponse } from 'node:http';
import type { ExecutionPlugin } from './pipeline/10-execute';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { LATENCY_BUCKETS, operationLabels, serveRegistry } from '@supergraph/server';
import type { OperationLabels, RouterContext } from './context';
import type { BreakerState } from './resilience';
import type { SubgraphObserver } from './subgraph-client';

const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * The router's Prometheus metrics, in a registry of its own (several routers can share a process
 * in tests). Names are prefixed `router_`; Node's process metrics (event-loop lag, heap, GC) come
 * along with the `router_process_` prefix.
 */
export class RouterMetrics implements SubgraphObserver {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'router_requests_total',
    help: 'GraphQL operations by operation name and outcome (success, error).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: 'router_request_duration_seconds',
    help: 'Whole GraphQL request, from arrival to response, by operation name and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'router_requests_rejected_total',
    help: 'Requests refused before parsing, by reason (rate_limited). Refusals after parsing count as router_requests_total outcome="error".',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly shared = new Counter({
    name: 'router_requests_shared_total',
    help: 'Requests answered with the response of an identical query in flight at the same moment (OPERATION_DEDUPE); also counted in router_requests_total.',
    registers: [this.registry],
  });
  readonly subgraphFetchDuration = new Histogram({
    name: 'router_subgraph_fetch_duration_seconds',
    help: 'Each fetch from a subgraph, retries and backoff included, by subgraph and outcome.',
    labelNames: ['subgraph', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly subgraphRetries = new Counter({
    name: 'router_subgraph_retries_total',
    help: 'Retried subgraph fetches (queries only), by subgraph and reason.',
    labelNames: ['subgraph', 'reason'] as const,
    registers: [this.registry],
  });
  readonly breakerState = new Gauge({
    name: 'router_circuit_breaker_state',
    help: 'Circuit breaker of each subgraph: 0 closed, 1 half-open, 2 open.',
    labelNames: ['subgraph'] as const,
    registers: [this.registry],
  });
  readonly supergraphReloads = new Counter({
    name: 'router_supergraph_reloads_total',
    help: 'Supergraph reloads by outcome: success (swapped in) or failed (refused; the previous supergraph keeps serving).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly subscriptionsEnded = new Counter({
    name: 'router_subscriptions_ended_total',
    help: 'Subscriptions their subgraph ended, by subgraph and reason: source_lost (it went away: SUBSCRIPTION_SOURCE_LOST) or completed.',
    labelNames: ['subgraph', 'reason'] as const,
    registers: [this.registry],
  });
  readonly cacheLookups = new Counter({
    name: 'router_response_cache_lookups_total',
    help: 'Response cache lookups by result (hit, miss).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor(options: { activeSubscriptions?: () => number; waitingOnShared?: () => number } = {}) {
    collectDefaultMetrics({ register: this.registry, prefix: 'router_' });
    const hits = this.cacheLookups;
    new Gauge({
      name: 'router_response_cache_hit_ratio',
      help: 'Response cache hits divided by lookups since start (0 before the first lookup).',
      registers: [this.registry],
      async collect() {
        const values = (await hits.get()).values;
        const hit = values.find((value) => value.labels.result === 'hit')?.value ?? 0;
        const total = values.reduce((sum, value) => sum + value.value, 0);
        this.set(total === 0 ? 0 : hit / total);
      },
    });
    const waiting = options.waitingOnShared ?? (() => 0);
    new Gauge({
      name: 'router_requests_waiting_on_shared',
      help: 'Requests waiting right now for the response of an identical query in flight (OPERATION_DEDUPE).',
      registers: [this.registry],
      collect() {
        this.set(waiting());
      },
    });
    const active = options.activeSubscriptions ?? (() => 0);
    new Gauge({
      name: 'router_active_subscriptions',
      help: 'Subscriptions running now, over WebSocket and SSE.',
      registers: [this.registry],
      collect() {
        this.set(active());
      },
    });
  }

  fetched(subgraph: string, seconds: number, outcome: 'ok' | 'error'): void {
    this.subgraphFetchDuration.observe({ subgraph, outcome }, seconds);
  }

  breakerChanged(subgraph: string, state: BreakerState): void {
    this.breakerState.set({ subgraph }, BREAKER_VALUE[state]);
  }

  retried(subgraph: string, _attempt: number, reason: string): void {
    this.subgraphRetries.inc({ subgraph, reason });
  }

  /** A bounded label: the first names are kept, later ones become "other" (operationLabels). */
  readonly operationLabel = operationLabels();

  /** Counts and times every query and mutation executed (HTTP, WebSocket and SSE alike): stage 10's plugin. */
  executionPlugin(): ExecutionPlugin {
    return {
      finished: (call, result) => {
        const labels: OperationLabels = {
          operation: this.operationLabel(call.operation.operation.name?.value ?? null),
          outcome: call.errors?.length || result.errors?.length ? 'error' : 'success',
        };
        if (call.context.finished) call.context.finished.labels = labels;
        // Requests that did not come over HTTP (WebSocket, SSE) have no arrival time: counted, untimed.
        this.count(labels, call.context.receivedAt);
      },
    };
  }

  /** A request answered with the response of an identical one in flight counts as that operation. */
  sharedResponse(leader: RouterContext, follower: RouterContext): void {
    this.shared.inc();
    const labels = leader.finished?.labels;
    if (labels) this.count(labels, follower.receivedAt);
  }

  private count(labels: OperationLabels, receivedAt: number | undefined): void {
    this.requests.inc(labels);
    if (receivedAt !== undefined) this.requestDuration.observe(labels, (performance.now() - receivedAt) / 1000);
  }

  serve(response: ServerResponse): Promise<void> {
    return serveRegistry(this.registry, response);
  }
}

/** Wraps the streaming transports' runner so the router_active_subscriptions gauge is exact. */
export function countingSubscriptions<T extends { subscribe(...args: never[]): AsyncIterableIterator<unknown> }>(runner: T): T & { readonly active: number } {
  let active = 0;
  const subscribe = (...args: never[]) => {
    const inner = runner.subscribe(...args);
    active++;
    let open = true;
    const close = () => {
      if (open) {
        open = false;
        active--;
      }
    };
    const iterator: AsyncIterableIterator<unknown> = {
      next: async () => {
        try {
          const result = await inner.next();
          if (result.done) close();
          return result;
        } catch (error) {
          close();
          throw error;
        }
      },
      return: async (value?: unknown) => {
        close();
        return inner.return ? inner.return(value) : { done: true, value: undefined };
      },
      throw: async (error?: unknown) => {
        close();
        if (inner.throw) return inner.throw(error);
        throw error;
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  };
  return Object.assign(Object.create(runner) as T, {
    subscribe,
    get active() {
      return active;
    },
  }) as T & { readonly active: number };
}
