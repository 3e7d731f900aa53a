import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { LoginDocument, RegisterDocument } from '../../clients/generated/graphql';
import { bearer, execute, graphql } from '@supergraph/testing';
import { startTracing } from '@supergraph/server';
import { startPlatform, type PlatformHarness } from './harness';

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

let collector: Server;
const spans: (ExportedSpan & { service: string })[] = [];
let platform: PlatformHarness;

beforeAll(async () => {
  // A stand-in OTLP/HTTP collector: it keeps what it is sent.
  collector = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: ExportedSpan[] }[] }[];
    };
    for (const resourceSpans of body.resourceSpans) {
      const service = resourceSpans.resource.attributes.find((attribute) => attribute.key === 'service.name')?.value.stringValue ?? '';
      for (const scope of resourceSpans.scopeSpans) for (const span of scope.spans) spans.push({ ...span, service });
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{}');
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  platform = await startPlatform({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}` });
});

afterAll(async () => {
  await platform?.stop();
  await new Promise((resolve) => collector.close(resolve));
});

it('exports one trace across the router and the subgraph it calls', async () => {
  const password = 'a long enough password';
  await execute(platform.graphqlUrl, RegisterDocument, { email: 'traced@example.com', password });
  const { token } = (await execute(platform.graphqlUrl, LoginDocument, { email: 'traced@example.com', password })).data!.login;
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
