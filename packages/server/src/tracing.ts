import type { IncomingHttpHeaders } from 'node:http';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Context, type Span } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-node';

/**
 * OpenTelemetry traces over OTLP/HTTP (`<endpoint>/v1/traces`), one tracer provider per process.
 * Without a call to startTracing every span below is a no-op, so the hooks cost next to nothing.
 * W3C `traceparent` links the router's spans (its execute and per-subgraph fetch spans) to the
 * subgraphs' request spans.
 */
export interface Tracing {
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

let running: Tracing | undefined;

export function startTracing(serviceName: string, endpoint: string): Tracing {
  if (running) return running;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OtlpJsonExporter(`${endpoint.replace(/\/$/, '')}/v1/traces`))],
  });
  provider.register();
  running = {
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      running = undefined;
      await provider.shutdown();
    },
  };
  return running;
}

/** Adds `traceparent` (and `tracestate`) for the active span to outgoing headers. */
export function injectTraceHeaders(set: (name: string, value: string) => void): void {
  propagation.inject(context.active(), undefined, { set: (_carrier: unknown, name: string, value: string) => set(name, value) });
}

/**
 * Runs `work` in a span under the active one (a step of a request: planning, executing, a fetch);
 * spans started inside it, and `traceparent` injected inside it, have it as their parent.
 */
export { SpanKind } from '@opentelemetry/api';

export async function withSpan<T>(name: string, attributes: Record<string, string>, work: () => Promise<T>, kind: SpanKind = SpanKind.INTERNAL): Promise<T> {
  return trace.getTracer('supergraph').startActiveSpan(name, { kind, attributes }, (span) => ended(span, work));
}

/** Runs an incoming request's handling in a server span that continues the caller's trace. */
export async function withServerSpan<T>(name: string, headers: IncomingHttpHeaders, attributes: Record<string, string>, work: () => Promise<T>): Promise<T> {
  return continueTrace(name, headers, attributes, work, SpanKind.SERVER);
}

/** The active span's W3C trace context as a plain object, for work handed to another process (a queued job). */
export function traceCarrier(): Record<string, string> {
  const carrier: Record<string, string> = {};
  injectTraceHeaders((name, value) => (carrier[name] = value));
  return carrier;
}

/**
 * Runs `work` in a span whose parent is the trace context in `carrier` (request headers, or what
 * traceCarrier gave a queued job); a carrier without one starts a new trace.
 */
export async function continueTrace<T>(
  name: string,
  carrier: Record<string, string | string[] | undefined>,
  attributes: Record<string, string>,
  work: () => Promise<T>,
  kind: SpanKind,
): Promise<T> {
  const parent: Context = propagation.extract(ROOT_CONTEXT, carrier, {
    get: (from, key) => from[key],
    keys: (from) => Object.keys(from),
  });
  return trace.getTracer('supergraph').startActiveSpan(name, { kind, attributes }, parent, (span) => ended(span, work));
}

/** Runs `work`, then ends its span, marked as failed when it threw. */
async function ended<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * OTLP/HTTP with JSON bodies over Node's fetch. (The official exporter loads `http` with import(),
 * which Jest cannot run; this is the same protocol in a few lines.)
 */
class OtlpJsonExporter implements SpanExporter {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly url: string) {}

  export(spans: ReadableSpan[], done: (result: { code: number; error?: Error }) => void): void {
    const sent = fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JsonTraceSerializer.serializeRequest(spans),
      signal: AbortSignal.timeout(10_000),
    }).then(
      // ExportResultCode: 0 success, 1 failed.
      (response) => done(response.ok ? { code: 0 } : { code: 1, error: new Error(`OTLP endpoint answered ${response.status}`) }),
      (error: Error) => done({ code: 1, error }),
    );
    this.pending.add(sent);
    void sent.finally(() => this.pending.delete(sent));
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.pending);
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
  }
}
