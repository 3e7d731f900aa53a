import { buildClientSchema, getIntrospectionQuery, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { DocumentGenerator, type DocumentOptions, type FuzzRequest } from './documents';
import { Random } from './random';
import { requestBody, send, TRANSPORTS, type FuzzResponse, type Transport } from './transports';
import { judge, type FailureKind, type Secrets } from './verdict';

export interface FuzzOptions extends DocumentOptions {
  /** Seeds every request: the same seed sends the same requests. */
  seed: number;
  /** Requests sent over each transport. */
  count: number;
  /** The router's GraphQL endpoint. */
  url: string;
  /** Default: HTTP, graphql-ws and SSE. */
  transports?: readonly Transport[];
  /** `Bearer …` values of signed-in callers; each request goes anonymous or as one of them. */
  authorizations: string[];
  secrets: Secrets;
  /** URLs that must answer 200 after the run (the router's /health and /ready, each subgraph's /health). */
  healthUrls: string[];
  /** How long one request may take to be answered in full. Default 15 s (the router's subgraph timeout is 10 s). */
  deadlineMs?: number;
  /** How long an accepted subscription is watched for an error before it is closed. Default 300 ms. */
  subscriptionWatchMs?: number;
  /** Requests in flight at once per transport. Default 4. */
  concurrency?: number;
  /** Called after each answer with the transport's count so far (a long run says how far it is). Default: nothing. */
  progress?: (transport: Transport, answered: number) => void;
}

export interface FuzzFailure {
  seed: number;
  /** With the seed, regenerates the request exactly (`fuzzRequest`). */
  index: number;
  transport: Transport;
  signedIn: boolean;
  kinds: FailureKind[];
  request: FuzzRequest;
  response: FuzzResponse;
}

export interface TransportFigures {
  requests: number;
  /** What the answers were: `data` when some field resolved, else the first error code (`none` without one): how deep the requests reached. */
  outcomes: Record<string, number>;
  failures: Partial<Record<FailureKind, number>>;
  durationMs: number;
}

export interface FuzzReport {
  seed: number;
  transports: Partial<Record<Transport, TransportFigures>>;
  failures: FuzzFailure[];
  /** Health URLs that did not answer 200 after the run, with what they said. */
  unhealthy: { url: string; status?: number; text: string }[];
}

/** The router's client schema, introspected: requests are built from what clients can see. */
export async function introspect(url: string): Promise<GraphQLSchema> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: getIntrospectionQuery() }),
  });
  const body = (await response.json()) as { data?: IntrospectionQuery; errors?: unknown };
  if (!body.data) throw new Error(`introspection failed: ${JSON.stringify(body.errors)}`);
  return buildClientSchema(body.data);
}

/** Request `index` of the run seeded `seed`, and who sends it (an index into [anonymous, ...authorizations]). */
export function fuzzRequest(
  schema: GraphQLSchema,
  seed: number,
  index: number,
  options: DocumentOptions = {},
): { request: FuzzRequest; caller: number; random: Random } {
  const random = Random.forRequest(seed, index);
  const request = new DocumentGenerator(schema, random, options).request();
  return { request, caller: random.int(1 << 16), random };
}

/**
 * Sends `count` seeded requests over each transport, judges every answer, then checks that every
 * service is still healthy. Never throws for what the router answers: the report says.
 */
export async function runFuzz(schema: GraphQLSchema, options: FuzzOptions): Promise<FuzzReport> {
  const report: FuzzReport = { seed: options.seed, transports: {}, failures: [], unhealthy: [] };
  const sendOptions = { url: options.url, deadlineMs: options.deadlineMs ?? 15_000, subscriptionWatchMs: options.subscriptionWatchMs ?? 300 };
  const callers = [undefined, ...options.authorizations];
  for (const transport of options.transports ?? TRANSPORTS) {
    const figures: TransportFigures = { requests: 0, outcomes: {}, failures: {}, durationMs: 0 };
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < options.count) {
        const index = next++;
        const { request, caller } = fuzzRequest(schema, options.seed, index, options);
        const authorization = callers[caller % callers.length];
        const response = await send(transport, request, { ...sendOptions, authorization });
        figures.requests++;
        options.progress?.(transport, figures.requests);
        const outcome = outcomeOf(response);
        figures.outcomes[outcome] = (figures.outcomes[outcome] ?? 0) + 1;
        const kinds = judge(response, options.secrets);
        for (const kind of kinds) figures.failures[kind] = (figures.failures[kind] ?? 0) + 1;
        if (kinds.length > 0) report.failures.push({ seed: options.seed, index, transport, signedIn: authorization !== undefined, kinds, request, response });
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
    figures.durationMs = Date.now() - started;
    report.transports[transport] = figures;
  }
  report.unhealthy = await unhealthy(options.healthUrls, sendOptions.deadlineMs);
  return report;
}

/** `data` when the answer carries a resolved field, else its first error code. */
function outcomeOf(response: FuzzResponse): string {
  if (/"data":\{"[^"]+":[^n]/.test(response.text)) return 'data';
  return /"code":"([A-Z_]+)"/.exec(response.text)?.[1] ?? (response.closeCode ? `close ${response.closeCode}` : 'none');
}

async function unhealthy(urls: string[], deadlineMs: number): Promise<FuzzReport['unhealthy']> {
  const answers = await Promise.all(
    urls.map(async (url) => {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(deadlineMs) });
        return { url, status: response.status, text: await response.text() };
      } catch (error) {
        return { url, text: String(error) };
      }
    }),
  );
  return answers.filter((answer) => answer.status !== 200);
}

/** One failure, printed so it reproduces: seed and index, transport and caller, the request's body and what came back. */
export function describeFailure(failure: FuzzFailure, limit = 2_000): string {
  const clip = (text: string) => (text.length > limit ? `${text.slice(0, limit)}… (${text.length} characters)` : text);
  return [
    `seed ${failure.seed} request ${failure.index} over ${failure.transport} (${failure.signedIn ? 'signed in' : 'anonymous'}): ${failure.kinds.join(', ')}`,
    `  made: ${failure.request.mutations.join(', ') || 'well-formed'}`,
    `  request: ${clip(requestBody(failure.request))}`,
    `  response: ${failure.response.status ?? '-'}${failure.response.closeCode ? ` close ${failure.response.closeCode}` : ''} ${clip(failure.response.text)}${failure.response.transportError ? ` (${failure.response.transportError})` : ''}`,
  ].join('\n');
}
