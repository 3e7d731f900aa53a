// Must come first: it switches off @apollo/gateway's phone-home before the gateway module is used.
import './no-phone-home';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { RouterServiceConfig } from '@supergraph/config';
import type { Identity } from '@supergraph/identity';
import {
  createLogger,
  formatErrorFor,
  graphqlHttpHandler,
  sendJson,
  startHttpServer,
  startTracing,
  withServerSpan,
  type HttpGraphQLRequest,
  type Logger,
  type Route,
  type RunningServer,
} from '@supergraph/server';
import { createEventBus } from '@supergraph/pubsub';
import { ApiKeyVerifier } from './api-keys';
import { authenticate } from './authentication';
import { CurrentTiers, usersTierLookup } from './current-tiers';
import { dashboardRoutes } from './dashboard/dashboard';
import type { RouterContext } from './context';
import { incrementalHttpResponder } from './incremental-http';
import { graphqlLandingPage, sandboxPage } from './landing-page';
import { cacheControlHeader } from './cache-policy';
import { graphqlOverHttp } from './http/graphql-over-http';
import { httpParams } from './http/operation-params';
import { operationShareKey } from './operation-dedupe';
import { countingSubscriptions, RouterMetrics } from './metrics';
import { RateLimiter, rateLimitKey, RedisSlidingWindow } from './rate-limit';
import { persistedQueryStore } from './persisted-queries';
import { operationExecution, operationRunner } from './pipeline/10-execute';
import { publicError, type ResponseErrors } from './pipeline/11-respond';
import { operationPipeline } from './pipeline/pipeline';
import { SchemaState, type ExecutionOptions, type SubgraphClients } from './pipeline/schema-state';
import { probeSubgraph } from './readiness';
import { requestLogPlugin } from './request-log';
import { responseCache } from './response-cache';
import { connectRedis } from './redis';
import { SubgraphClient } from './subgraph-client';
import { SubscriptionEngine } from './subscriptions/engine';
import { EventAuthorization } from './subscriptions/event-authorization';
import { authorization } from './pipeline/08-authorization';
import { UpstreamSubscriptions } from './subscriptions/upstream';
import { serverSentEventsHandler, wantsEventStream } from './subscriptions/sse';
import { serveClientWebSockets } from './subscriptions/websocket';
import { SocketTickets, socketTicketRoute } from './socket-tickets';
import { SupergraphReloader } from './supergraph/reloader';
import { pollSupergraphUrl, watchSupergraphFile, type Closable, type SupergraphListener } from './supergraph/sources';

/** Starts the router: the gateway over the supergraph (reloaded live when it changes), plus health, readiness and Sandbox. */
export async function startRouter(config: RouterServiceConfig, logger: Logger = createLogger({ service: 'router' }, config.logLevel)): Promise<RunningServer> {
  let subscriptionsActive = () => 0;
  let waitingOnShared = () => 0;
  const metrics = new RouterMetrics({ activeSubscriptions: () => subscriptionsActive(), waitingOnShared: () => waitingOnShared() });
  // One client per subgraph name and URL, kept across supergraph reloads (its breaker and connection pool with it).
  const clients = new Map<string, SubgraphClient>();
  const subgraphClient: SubgraphClients = (name, url) => {
    const routed = config.router.subgraphUrls[name] ?? url;
    const key = `${name}\u0000${routed}`;
    let client = clients.get(key);
    if (!client) {
      const policy = config.protection.subgraphs;
      client = new SubgraphClient(
        name,
        routed,
        config.routerSigningSecret,
        { ...policy, timeoutMs: policy.timeoutOverrides[name] ?? policy.timeoutMs },
        metrics,
        (query) => reloader.current.nonRetryable.selectedBy(query),
      );
      clients.set(key, client);
    }
    return client;
  };
  // Everything that depends on the supergraph is one SchemaState; a reload builds a new one and swaps it in.
  const execution: ExecutionOptions = { executor: config.router.queryExecutor, planner: config.router.queryPlanner };
  const reloader = new SupergraphReloader(await SchemaState.build(readFileSync(config.router.supergraphPath, 'utf8'), subgraphClient, execution), {
    build: (supergraphSdl) => SchemaState.build(supergraphSdl, subgraphClient, execution),
    onSwap: (next) => {
      const subscriptions = engine.rebase((operation) => pipeline.reprepare(operation, next));
      return { subscriptionsKept: subscriptions.kept, subscriptionsEnded: subscriptions.ended };
    },
    counted: (outcome) => metrics.supergraphReloads.inc({ outcome }),
    logger,
  });
  const schema = () => reloader.current;

  const protection = config.protection;
  const tracing = config.otlpEndpoint ? startTracing('router', config.otlpEndpoint) : undefined;
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, logger) : undefined;
  const rateLimiter = new RateLimiter(protection.rateLimit, redis && new RedisSlidingWindow(redis), logger);
  // What of an error leaves the router, on every path: a subgraph's cut down to its documented details, a bug's hidden and logged.
  const formatError = formatErrorFor(logger);
  const responseErrors: ResponseErrors = { format: (formatted, error) => formatError(publicError(formatted), error), logger };
  // Stage 10 for every transport: queries and mutations with the concerns around them, each a plugin run once per operation.
  const operationsRun = operationExecution({
    plugins: [
      ...responseCache(protection.responseCache, redis, metrics),
      metrics.executionPlugin(),
      requestLogPlugin(logger, config.logLevel === 'debug'),
      cacheControlHeader(),
    ],
    errors: responseErrors,
  });
  const graphqlHttp = graphqlOverHttp({
    execution: operationsRun,
    errors: responseErrors,
    landingPage: config.production ? undefined : await graphqlLandingPage(),
  });

  const usersUrl = () => schema().subgraphs.get('users')?.url ?? 'http://localhost:4001/graphql';
  const apiKeys = new ApiKeyVerifier(usersUrl, config.routerSigningSecret, config.router.apiKeyCacheMs);
  // Tier changes are heard on the platform's bus; without Redis no other process's events reach the router, and TIER_CACHE_MS alone applies.
  const accountEvents = config.redisUrl ? createEventBus(config) : undefined;
  const tiers = new CurrentTiers(usersTierLookup(usersUrl, config.routerSigningSecret), accountEvents, logger, { cacheMs: config.router.tierCacheMs });
  const pipeline = operationPipeline({
    schema,
    authenticate: (headers) => authenticate({ headers }, config.jwt, apiKeys),
    currentTier: (identity) => tiers.current(identity),
    rateLimiter,
    onRateLimited: () => metrics.rejected.inc({ reason: 'rate_limited' }),
    persistedQueries: await persistedQueryStore(protection.persistedQueries, redis, logger),
    limits: protection.limits,
    introspection: !config.production,
  });
  // The correlation id is taken from the caller or made here, echoed back, and sent to every subgraph.
  const requestIds = new WeakMap<IncomingMessage, string>();
  const arrivals = new WeakMap<IncomingMessage, number>();
  // HTTP: the pipeline runs once the landing page and CSRF prevention let the request through; a refusal is answered with the code's status.
  const context = async (request: IncomingMessage, httpRequest: HttpGraphQLRequest): Promise<RouterContext> => {
    const requestId = requestIds.get(request) ?? randomUUID();
    const operation = await pipeline({ transport: 'http', method: httpRequest.method, params: httpParams(httpRequest), client: request, requestId });
    return { requestId, receivedAt: arrivals.get(request), identity: operation.identity, operation, finished: {} };
  };
  const executeGraphQL = graphqlHttpHandler(graphqlHttp.execute, context, {
    screen: graphqlHttp.screen,
    maxBodyBytes: config.maxBodyBytes,
    shareKey: config.router.operationDedupe ? operationShareKey() : undefined,
    onShared: (leader, follower) => metrics.sharedResponse(leader, follower),
    respond: incrementalHttpResponder(operationsRun, logger),
  });
  waitingOnShared = () => executeGraphQL.sharing;
  const socketTickets = new SocketTickets({ origins: config.router.corsOrigins }, redis);
  // The same rate limiting as operations, with a window of its own: tickets do not use up a caller's operations.
  const ticketLimiter = new RateLimiter(
    { ...protection.rateLimit, perMinute: protection.socketTickets.perMinute, tiers: {} },
    redis && new RedisSlidingWindow(redis, 'supergraph:ratelimit:socket-ticket:'),
    logger,
  );
  const eventAuthorization: EventAuthorization = new EventAuthorization({
    authenticate: (headers): Promise<Identity> => authenticate({ headers }, config.jwt, apiKeys),
    authorization: authorization(),
    recheckMs: config.router.apiKeyCacheMs,
  });
  const engine = new SubscriptionEngine(
    new UpstreamSubscriptions(config.routerSigningSecret, config.keepAliveMs, (subgraph, reason) => metrics.subscriptionsEnded.inc({ subgraph, reason })),
    {
      maxPerCaller: config.router.maxSubscriptionsPerCaller,
      callerOf: (operation) => rateLimitKey(operation.identity, operation.client, protection.rateLimit.trustProxy),
      authorizeEvent: (operation) => eventAuthorization.check(operation),
    },
    logger,
  );
  const operations = countingSubscriptions(operationRunner(operationsRun, engine));
  subscriptionsActive = () => operations.active;
  const serverSentEvents = serverSentEventsHandler({
    operations,
    pipeline,
    requestId: (request) => requestIds.get(request) ?? randomUUID(),
    maxBodyBytes: config.maxBodyBytes,
    keepAliveMs: config.keepAliveMs,
    logger,
  });
  const graphql: Route = (request, response) => {
    const requestId = headerValue(request, 'x-request-id') ?? randomUUID();
    requestIds.set(request, requestId);
    arrivals.set(request, performance.now());
    response.setHeader('x-request-id', requestId);
    return wantsEventStream(request) ? serverSentEvents(request, response) : executeGraphQL(request, response);
  };

  let webSockets: { close(): Promise<void> } | undefined;
  const supergraphSources: Closable[] = [];

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
      '/socket-ticket': socketTicketRoute(socketTickets, (headers) => authenticate({ headers }, config.jwt, apiKeys), ticketLimiter, logger),
      ...(protection.metrics.enabled ? { '/metrics': (_request, response) => metrics.serve(response) } : {}),
      ...dashboardRoutes(() => schema().apiSchema),
      '/ready': async (_request, response) => {
        const probes = await Promise.all(
          [...schema().subgraphs.values()].map(async (client) => {
            const probe = await probeSubgraph(client, config.routerSigningSecret, config.router.readyTimeoutMs);
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
      for (const source of supergraphSources) source.close();
      await webSockets?.close();
    },
    onStop: async () => {
      await reloader.current.stop();
      await tiers.close();
      await accountEvents?.close();
      redis?.disconnect();
      await tracing?.flush();
    },
  });
  webSockets = serveClientWebSockets({
    server: running.server,
    operations,
    pipeline,
    authenticate: (headers) => authenticate({ headers }, config.jwt, apiKeys),
    tickets: socketTickets,
    maxPayloadBytes: config.maxBodyBytes,
    maxSubscriptionsPerConnection: config.router.maxSubscriptionsPerConnection,
    keepAliveMs: config.keepAliveMs,
    logger,
  });
  // Live reload: `npm run compose` rewrites the file; a schema registry can serve the URL.
  const reload: SupergraphListener = (supergraphSdl, origin) => void reloader.reload(supergraphSdl, origin);
  supergraphSources.push(
    ...(config.router.supergraphWatch ? [watchSupergraphFile(config.router.supergraphPath, reload, logger)] : []),
    ...(config.router.supergraphUrl
      ? [pollSupergraphUrl(config.router.supergraphUrl, reload, logger, { intervalMs: config.router.supergraphPollIntervalMs })]
      : []),
  );
  logger.info('router listening', { url: `${running.url}/graphql`, sandbox: config.production ? undefined : `${running.url}/` });
  return running;
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  const single = Array.isArray(value) ? value[0] : value;
  // A caller-supplied id is echoed into logs and other services: keep it short and printable.
  return single && /^[\w.:-]{1,128}$/.test(single) ? single : undefined;
}
