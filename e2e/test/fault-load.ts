import { errorCodes, type GraphQLResponse } from '@supergraph/testing';

/** One kind of request the load sends, again and again. */
export type LoadRequest = () => Promise<GraphQLResponse<unknown>>;

/** What the clients saw while the load ran. */
export interface LoadReport {
  requests: number;
  /** Every answer with an HTTP status of 500 or more, and every request that got no HTTP answer at all. */
  serverFailures: string[];
  /** How many times each `extensions.code` came back (a request with no error counts under "ok"). */
  codes: Record<string, number>;
}

/**
 * Sends `requests` round-robin from `concurrency` clients, each as soon as its previous answer is
 * in, until `stop()`, which resolves with what the clients saw: the steady traffic a fault happens
 * under. Also what a client that retries reports through `record`.
 */
export function startLoad(requests: LoadRequest[], concurrency = 3): { record(response: GraphQLResponse<unknown>): void; stop(): Promise<LoadReport> } {
  const report: LoadReport = { requests: 0, serverFailures: [], codes: {} };
  const record = (response: GraphQLResponse<unknown>) => {
    report.requests++;
    if (response.status >= 500) report.serverFailures.push(`HTTP ${response.status}: ${JSON.stringify(response.errors)}`);
    const codes = errorCodes(response);
    for (const code of codes.length === 0 ? ['ok'] : codes) report.codes[code ?? 'no code'] = (report.codes[code ?? 'no code'] ?? 0) + 1;
  };
  let stopped = false;
  const clients = Array.from({ length: concurrency }, async (_, client) => {
    for (let turn = client; !stopped; turn++) {
      try {
        record(await requests[turn % requests.length]!());
      } catch (error) {
        report.requests++;
        report.serverFailures.push(`no answer: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  });
  return {
    record,
    stop: async () => {
      stopped = true;
      await Promise.all(clients);
      return report;
    },
  };
}
