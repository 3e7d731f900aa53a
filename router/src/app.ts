// Must come first: it switches off @apollo/gateway's phone-home before the gateway module is used.
import './no-phone-home';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { RouterServiceConfig } from '@supergraph/config';
import {
  createLogger,
  formatErrorFor,
  graphqlHttpHandler,
  sendJson,
  startHttpServer,
  startTracing,
  withServerSpan,
  type Logger,
  type Route,
  type RunningServer,
} from '@supergraph/server';
import { ApiKeyVerifier } from './api-keys';
import { authenticate } from './authentication';
import { AuthorizationPolicy, authorizingGateway, OperationAuthorizer } from './authorization';
import { dashboardRoutes } from './dashboard/dashboard';
import type { RouterContext } from './context';
import { sandboxPage } from './landing-page';
import { operationLimitsPlugin, tokenLimitError } from './limits';
import { operationShareKey } from './operation-dedupe';
import { countingSubscriptions, RouterMetrics } from './metrics';
import { RateLimiter, rateLimitedExecute, RedisSlidingWindow } from './rate-limit';
import { hashMismatchError, persistedQueries } from './persisted-queries';
import { probeSubgraph } from './readiness';
import { requestLogPlugin } from './request-log';
import { responseCache } from './response-cache';
import { connectRedis } from './redis';
import { SubgraphClient } from './subgraph-client';
import { SubscriptionEngine } from './subscriptions/engine';
import { SubscriptionPlanner } from './subscriptions/planner';
import { UpstreamSubscriptions } from './subscriptions/upstream';
import { operationRunner } from './subscriptions/operations';
import { serverSentEventsHandler, wantsEventStream } from './subscriptions/sse';
import { serveClientWebSockets } from './subscriptions/websocket';

/** Starts the router: the gateway over the static supergraph, plus health, readiness and Sandbox. */
export async function startRouter(config: RouterServiceConfig, logger: Logger = createLogger({ service: 'router' }, config.logLevel)): Promise<RunningServer> {
  const authorizationPolicy = new AuthorizationPolicy(readFileSync(config.router.supergraphPath, 'utf8'));
  const supergraphSdl = authorizationPolicy.gatewaySdl;
  const subgraphs = new Map<string, SubgraphClient>();
  let subscriptionsActive = () => 0;
  let waitingOnShared = () => 0;
  const metrics = new RouterMetrics({ activeSubscriptions: () => subscriptionsActive(), waitingOnShared: () => waitingOnShared() });
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => {
      const policy = config.protection.subgraphs;
      const timeoutMs = policy.timeoutOverrides[name] ?? policy.timeoutMs;
      const client = new SubgraphClient(name, config.router.subgraphUrls[name] ?? url!, config.routerSigningSecret, { ...policy, timeoutMs }, metrics);
      subgraphs.set(name, client);
      return client;
    },
  });

  const planner = new SubscriptionPlanner(supergraphSdl);
  const protection = config.protection;
  const tracing = config.otlpEndpoint ? startTracing('router', config.otlpEndpoint) : undefined;
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, logger) : undefined;
  const rateLimiter = new RateLimiter(protection.rateLimit, redis && new RedisSlidingWindow(redis), logger);
  const persisted = await persistedQueries(protection.persistedQueries, redis, logger);
  const formatError = formatErrorFor(logger);
  const authorizer = new OperationAuthorizer(planner.apiGraphQLSchema, authorizationPolicy);
  const apollo = new ApolloServer<RouterContext>({
    // @authenticated / @requiresScopes are enforced on the operation before the gateway plans it.
    gateway: authorizingGateway(gateway, authorizer),
    includeStacktraceInErrorResponses: false,
    introspection: !config.production,
    // Rejects simple (non-preflighted) requests: see router/README.md, CSRF prevention.
    csrfPrevention: true,
    persistedQueries: persisted.options,
    parseOptions: protection.limits.maxTokens > 0 ? { maxTokens: protection.limits.maxTokens } : {},
    formatError: (formatted, error) => formatError(hashMismatchError(tokenLimitError(formatted, protection.limits.maxTokens)), error),
    plugins: [
      config.production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
      ...persisted.plugins,
      operationLimitsPlugin(planner.apiGraphQLSchema, protection.limits),
      metrics.plugin(),
      requestLogPlugin(logger, config.logLevel === 'debug'),
      ...responseCache(protection.responseCache, redis, authorizer, metrics),
    ],
  });
  await apollo.start();

  const apiKeys = new ApiKeyVerifier(
    () => subgraphs.get('users')?.url ?? 'http://localhost:4001/graphql',
    config.routerSigningSecret,
    config.router.apiKeyCacheMs,
  );
  // The correlation id is taken from the caller or made here, echoed back, and sent to every subgraph.
  const requestIds = new WeakMap<IncomingMessage, string>();
  const arrivals = new WeakMap<IncomingMessage, number>();
  const context = async (request: IncomingMessage): Promise<RouterContext> => {
    const identity = await authenticate(request, config.jwt, apiKeys);
    // Before parsing: a caller over its limit costs one Redis round trip and nothing more.
    if (rateLimiter.enabled) {
      await rateLimiter.check(identity, request).catch((error: unknown) => {
        metrics.rejected.inc({ reason: 'rate_limited' });
        throw error;
      });
    }
    return { requestId: requestIds.get(request) ?? randomUUID(), receivedAt: arrivals.get(request), identity, finished: {} };
  };
  const executeGraphQL = graphqlHttpHandler(apollo, context, {
    maxBodyBytes: config.maxBodyBytes,
    shareKey: config.router.operationDedupe ? operationShareKey(protection.limits.maxTokens) : undefined,
    onShared: (leader, follower) => metrics.sharedResponse(leader, follower),
  });
  waitingOnShared = () => executeGraphQL.sharing;
  const engine = new SubscriptionEngine(planner, new UpstreamSubscriptions(config.routerSigningSecret, config.keepAliveMs), () => subgraphs, logger);
  const operations = countingSubscriptions(rateLimitedExecute(operationRunner(apollo, engine), rateLimiter));
  subscriptionsActive = () => operations.active;
  const serverSentEvents = serverSentEventsHandler({
    schema: planner.apiGraphQLSchema,
    operations,
    authenticate: (request) => authenticate(request, config.jwt, apiKeys),
    requestId: (request) => requestIds.get(request) ?? randomUUID(),
  });
  const graphql: Route = (request, response) => {
    const requestId = headerValue(request, 'x-request-id') ?? randomUUID();
    requestIds.set(request, requestId);
    arrivals.set(request, performance.now());
    response.setHeader('x-request-id', requestId);
    return wantsEventStream(request) ? serverSentEvents(request, response) : executeGraphQL(request, response);
  };

  let webSockets: { close(): Promise<void> } | undefined;

  const running: RunningServer = await startHttpServer({
    host: config.host,
    port: config.router.port,
    logger,
    graceMs: config.shutdownGraceMs,
    cors: { origins: config.router.corsOrigins },
    routes: {
      '/graphql': tracing
        ? (request, response) => withServerSpan('router /graphql', request.headers, { 'http.route': '/graphql' }, async () => graphql(request, response))
        : graphql,
      '/health': (_request, response) => sendJson(response, 200, { status: 'ok' }),
      ...(protection.metrics.enabled ? { '/metrics': (_request, response) => metrics.serve(response) } : {}),
      ...dashboardRoutes(planner.apiGraphQLSchema),
      '/ready': async (_request, response) => {
        const probes = await Promise.all(
          [...subgraphs.values()].map(async (client) => {
            const probe = await probeSubgraph(client.url!, config.routerSigningSecret, config.router.readyTimeoutMs);
            return [client.name, { ...probe, breaker: client.breaker.state, consecutiveFailures: client.breaker.consecutiveFailures }] as const;
          }),
        );
        const ready = !running.draining && probes.every(([, probe]) => probe.ok);
        sendJson(response, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', subgraphs: Object.fromEntries(probes) });
      },
      ...(config.production
        ? {}
        : {
            '/': (_request, response) => {
              response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
              response.end(sandboxPage());
            },
          }),
    },
    onDrain: async () => {
      await webSockets?.close();
    },
    onStop: async () => {
      await apollo.stop();
      redis?.disconnect();
      await tracing?.flush();
    },
  });
  webSockets = serveClientWebSockets({
    server: running.server,
    schema: planner.apiGraphQLSchema,
    operations,
    authenticate: (headers) => authenticate({ headers }, config.jwt, apiKeys),
    maxSubscriptionsPerConnection: config.router.maxSubscriptionsPerConnection,
    keepAliveMs: config.keepAliveMs,
    logger,
  });
  logger.info('router listening', { url: `${running.url}/graphql`, sandbox: config.production ? undefined : `${running.url}/` });
  return running;
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  const single = Array.isArray(value) ? value[0] : value;
  // A caller-supplied id is echoed into logs and other services: keep it short and printable.
  return single && /^[\w.:-]{1,128}$/.test(single) ? single : undefined;
}
