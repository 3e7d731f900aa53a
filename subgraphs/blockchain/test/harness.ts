import type { BlockchainServiceConfig } from '@supergraph/config';
import type { Identity } from '@supergraph/identity';
import { InProcessEventBus } from '@supergraph/pubsub';
import type { Logger } from '@supergraph/server';
import { asRouter, HarnessStack, graphql, type GraphQLResponse, type UntypedData } from '@supergraph/testing';
import { startBlockchainSubgraph, type BlockchainOptions, type BlockchainSubgraph } from '../src/app';
import { TOKEN_TRANSFER, type TokenTransferEvent } from '../src/events/chain-events';
import type { TestChain } from './chain';

/** Every log line and every response body a harness saw: what the no-key-leak test searches. */
export interface Transcript {
  logs: string[];
  responses: string[];
}

/** A logger that records JSON lines (at debug level: everything) instead of printing them. */
export function recordingLogger(lines: string[], base: Record<string, unknown> = { service: 'blockchain' }): Logger {
  const write = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push(JSON.stringify({ level, ...base, msg, ...fields }));
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (fields) => recordingLogger(lines, { ...base, ...fields }),
  };
}

/**
 * The blockchain subgraph on a test chain and a fresh Postgres database, called directly the way
 * the router calls it. Its events go to an in-process bus the harness records from the start.
 */
export interface BlockchainHarness {
  config: BlockchainServiceConfig;
  url: string;
  subgraph: BlockchainSubgraph;
  events: InProcessEventBus;
  /** Every tokenTransfer event published so far, in order. */
  transfers: TokenTransferEvent[];
  transcript: Transcript;
  call<T = UntypedData>(query: string, variables?: Record<string, unknown>, identity?: Identity): Promise<GraphQLResponse<T>>;
  /** Stops the subgraph, runs `whileDown`, then starts it again on the same database and chain (with `options` from then on). */
  restart(whileDown?: () => Promise<void>, options?: HarnessOptions): Promise<void>;
  stop(): Promise<void>;
}

/** What a test may pass to the subgraph besides the environment. */
export type HarnessOptions = Pick<BlockchainOptions, 'payoutFaults'>;

export async function startBlockchainHarness(chain: TestChain, env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<BlockchainHarness> {
  const stack = new HarnessStack();
  return stack.starting(async () => {
    const database = await stack.database('blockchain');
    const config = stack.config('blockchain', { BLOCKCHAIN_DATABASE_URL: database.url, BLOCKCHAIN_PORT: '0', ...chain.env, ...env });
    const events = new InProcessEventBus();
    stack.defer(() => events.close());
    const transfers: TokenTransferEvent[] = [];
    const transcript: Transcript = { logs: [], responses: [] };
    const feed = events.subscribe<TokenTransferEvent>(TOKEN_TRANSFER);
    stack.defer(() => feed.return?.());
    void (async () => {
      for await (const event of feed) transfers.push(event);
    })();
    const start = (extra: HarnessOptions) => startBlockchainSubgraph(config, recordingLogger(transcript.logs), { events, ...extra });
    let subgraph = await start(options);
    // The subgraph running now, which `restart` replaces.
    stack.defer(() => subgraph.stop());
    const harness: BlockchainHarness = {
      config,
      get url() {
        return `${subgraph.url}/graphql`;
      },
      get subgraph() {
        return subgraph;
      },
      events,
      transfers,
      transcript,
      call: async (query, variables = {}, identity = { kind: 'anonymous' }) => {
        const response = await graphql(`${subgraph.url}/graphql`, query, variables, asRouter(identity, config.routerSigningSecret));
        transcript.responses.push(JSON.stringify(response));
        return response as never;
      },
      restart: async (whileDown, next = {}) => {
        await subgraph.stop();
        await whileDown?.();
        subgraph = await start(next);
      },
      stop: () => stack.stop(),
    };
    return harness;
  });
}

export function userIdentity(userId: string, roles: ('USER' | 'ADMIN')[] = ['USER'], scopes = ['*']): Identity {
  return { kind: 'user', userId, roles, tier: 'FREE', scopes, via: scopes.includes('*') ? 'jwt' : 'apiKey' };
}

export const ADMIN = userIdentity('00000000-0000-4000-8000-000000000001', ['USER', 'ADMIN']);
export const USER = userIdentity('00000000-0000-4000-8000-000000000002');
