import { trace } from '@opentelemetry/api';
import { LoginDocument, RegisterDocument } from '../../clients/generated/graphql';
import { bearer, execute, graphql, startOtlpCollector, type OtlpCollector } from '@supergraph/testing';
import { startTracing } from '@supergraph/server';
import { startPlatform, type PlatformHarness } from './harness';

let collector: OtlpCollector;
let platform: PlatformHarness;

beforeAll(async () => {
  collector = await startOtlpCollector();
  platform = await startPlatform({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
});

afterAll(async () => {
  await platform?.stop();
  await collector?.stop();
});

it('exports one trace across the router and the subgraph it calls', async () => {
  const password = 'a long enough password';
  await execute(platform.graphqlUrl, RegisterDocument, { email: 'traced@example.com', password });
  const { token } = (await execute(platform.graphqlUrl, LoginDocument, { email: 'traced@example.com', password })).data!.login;
  const { spans } = collector;
  spans.length = 0;
  expect((await graphql(platform.graphqlUrl, '{ me { email } }', {}, bearer(token))).errors).toBeUndefined();
  // The router registered the process's tracer provider (one process here): flush it.
  await startTracing('router', 'unused').flush();

  const routerSpan = spans.find((span) => span.name === 'router /graphql');
  expect(routerSpan).toBeDefined();
  const trace_ = spans.filter((span) => span.traceId === routerSpan!.traceId);
  const subgraphSpan = trace_.find((span) => span.name === 'subgraph users');
  expect(subgraphSpan).toBeDefined();
  // Its parent is the router's fetch span, reached through traceparent, under the execution's span.
  const fetchSpan = trace_.find((span) => span.spanId === subgraphSpan!.parentSpanId);
  expect(fetchSpan?.name).toBe('router.fetch');
  expect(trace_.find((span) => span.spanId === fetchSpan!.parentSpanId)?.name).toBe('router.execute');
  expect(trace.getActiveSpan()).toBeUndefined();
});
