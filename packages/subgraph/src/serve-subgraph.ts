import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { ServiceConfig } from '@supergraph/config';
import { isDatabaseUnavailable } from '@supergraph/db';
import { IDENTITY_HEADER, IdentityVerificationError, SIGNATURE_HEADER, verifyIdentity, type Identity } from '@supergraph/identity';
import {
  formatErrorFor,
  apolloHttpExecutor,
  graphqlHttpHandler,
  sendJson,
  sendJsonError,
  startHttpServer,
  startTracing,
  unauthenticated,
  withServerSpan,
  type KnownOutage,
  type Logger,
  type Route,
  type RunningServer,
  type ServiceMetrics,
} from '@supergraph/server';
import { serveSubscriptions } from './subscriptions';

export interface RequestBase {
  identity: Identity;
  requestId: string | undefined;
  logger: Logger;
}

export interface SubgraphServerOptions<TContext extends RequestBase> {
  name: string;
  schema: GraphQLSchema;
  host: string;
  port: number;
  signingSecret: string;
  logger: Logger;
  graceMs: number;
  maxBodyBytes: number;
  /** Builds the per-request context (loaders live here, so batching never crosses requests). */
  createContext(base: RequestBase): TContext;
  /** Releases what the subgraph opened (database pools) after the last request drained. */
  onStop?(): Promise<void>;
  /**
   * More HTTP routes, e.g. a payment provider's webhook. They are NOT behind the router signature:
   * each must authenticate its caller itself (a webhook verifies the provider's signature).
   */
  extraRoutes?: Record<string, Route>;
  /** OTLP endpoint (config.otlpEndpoint): when set, this process exports traces. */
  otlpEndpoint?: string | undefined;
  /** Interval of graphql-ws pings on the router's subscription sockets (config.keepAliveMs). */
  keepAliveMs: number;
  /**
   * The service's metrics: served unsigned at GET /metrics (for Prometheus, which cannot sign; keep
   * the port inside the cluster), with every operation counted and timed. Default: no /metrics.
   */
  metrics?: ServiceMetrics;
}

/** The server options every subgraph takes from its service configuration, the same way. */
export function serverOptions(
  config: ServiceConfig,
): Pick<SubgraphServerOptions<RequestBase>, 'host' | 'signingSecret' | 'graceMs' | 'maxBodyBytes' | 'keepAliveMs' | 'otlpEndpoint'> {
  return {
    host: config.host,
    signingSecret: config.routerSigningSecret,
    graceMs: config.shutdownGraceMs,
    maxBodyBytes: config.maxBodyBytes,
    keepAliveMs: config.keepAliveMs,
    otlpEndpoint: config.otlpEndpoint,
  };
}

/** Every subgraph owns a database: while it is away (restarting, failing over) callers get a code that says "retry", not an internal error. */
const DATABASE_OUTAGE: KnownOutage = {
  code: 'DATABASE_UNAVAILABLE',
  message: 'The database cannot be reached right now; retry shortly',
  matches: isDatabaseUnavailable,
};

/**
 * The one way a subgraph is served: GraphQL at /graphql for requests the router signed, and an
 * unsigned /health for probes. A request without a valid router signature never reaches a resolver.
 */
export async function serveSubgraph<TContext extends RequestBase>(options: SubgraphServerOptions<TContext>): Promise<RunningServer> {
  const { logger } = options;
  if (options.otlpEndpoint) startTracing(options.name, options.otlpEndpoint);
  const apollo = new ApolloServer<TContext>({
    schema: options.schema,
    includeStacktraceInErrorResponses: false,
    formatError: formatErrorFor(logger, [DATABASE_OUTAGE]),
    // Inline traces are for Apollo's hosted studio, which we do not use; they cost time on every fetch.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ...(options.metrics ? [options.metrics.plugin<TContext>()] : []),
    ],
  });
  await apollo.start();

  const context = async (request: IncomingMessage): Promise<TContext> => {
    let identity: Identity;
    try {
      identity = verifyIdentity(header(request, IDENTITY_HEADER), header(request, SIGNATURE_HEADER), options.signingSecret);
    } catch (error) {
      if (error instanceof IdentityVerificationError) throw unauthenticated(error.message);
      throw error;
    }
    const requestId = header(request, 'x-request-id');
    return options.createContext({ identity, requestId, logger: requestId ? logger.child({ requestId }) : logger });
  };

  let subscriptions: { close(): Promise<void> } | undefined;
  const running = await startHttpServer({
    host: options.host,
    port: options.port,
    logger,
    graceMs: options.graceMs,
    routes: {
      ...options.extraRoutes,
      '/graphql': tracedRoute(`subgraph ${options.name}`, graphqlHttpHandler(apolloHttpExecutor(apollo), context, { maxBodyBytes: options.maxBodyBytes })),
      '/health': (_request, response) =>
        sendJson(response, running.draining ? 503 : 200, { status: running.draining ? 'draining' : 'ok', subgraph: options.name }),
      ...(options.metrics ? { '/metrics': metricsRoute(options.metrics) } : {}),
    },
    onDrain: async () => {
      await subscriptions?.close();
    },
    onStop: async () => {
      await apollo.stop();
      await options.onStop?.();
    },
  });
  subscriptions = serveSubscriptions({
    server: running.server,
    schema: options.schema,
    signingSecret: options.signingSecret,
    logger,
    createContext: options.createContext,
    keepAliveMs: options.keepAliveMs,
  });
  logger.info('subgraph listening', { url: `${running.url}/graphql` });
  return running;
}

function metricsRoute(metrics: ServiceMetrics): Route {
  return (request, response) => (request.method === 'GET' ? metrics.serve(response) : sendJsonError(response, 'METHOD_NOT_ALLOWED', 'GET only'));
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Each request continues the trace the router started (W3C traceparent); a no-op without tracing. */
function tracedRoute(name: string, route: Route): Route {
  return (request, response) => withServerSpan(name, request.headers, { 'http.route': '/graphql' }, async () => route(request, response));
}
