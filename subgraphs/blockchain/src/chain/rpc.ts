import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  webSocket,
  HttpRequestError,
  TimeoutError,
  WebSocketRequestError,
  SocketClosedError,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
  type Account,
} from 'viem';
import { clientError } from '@supergraph/server';
import type { BlockchainMetrics } from '../metrics';
import { signerAccount, type TransactionSigner } from '../signing/signer';

/** The subgraph's view of one Ethereum node: viem clients over HTTP (batched) and WebSocket. */
export interface ChainClients {
  chain: Chain;
  /** Reads. Calls made in the same tick travel in one JSON-RPC batch (one HTTP round). */
  public: PublicClient<Transport, Chain>;
  /** New-block notifications (eth_subscribe newHeads); absent without a WebSocket URL. */
  ws: PublicClient<Transport, Chain> | undefined;
  /** Sends transactions signed by the signing module. */
  wallet: WalletClient<Transport, Chain, Account>;
  /** The JSON-RPC methods of each recent HTTP request to the node: how tests see N wallets cost one round. */
  httpRounds(): readonly string[][];
  close(): Promise<void>;
}

export async function connectChain(options: {
  httpUrl: string;
  wsUrl: string | undefined;
  signer: TransactionSigner;
  metrics: BlockchainMetrics;
}): Promise<ChainClients> {
  const rounds: string[][] = [];
  const base = http(options.httpUrl, {
    batch: { batchSize: 200, wait: 0 },
    retryCount: 1,
    timeout: 10_000,
    onFetchRequest: (_request, init) => {
      const body = JSON.parse(String(init.body ?? '{}')) as { method: string } | { method: string }[];
      rounds.push(Array.isArray(body) ? body.map((call) => call.method) : [body.method]);
      if (rounds.length > 1000) rounds.shift();
    },
  });
  const transport = instrument(base, options.metrics);
  const probe = createPublicClient({ transport });
  const chainId = await unavailableOnFailure(() => probe.getChainId());
  const chain = defineChain({
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [options.httpUrl], webSocket: options.wsUrl ? [options.wsUrl] : undefined } },
  });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 1000 }) as PublicClient<Transport, Chain>;
  const ws = options.wsUrl
    ? (createPublicClient({ chain, transport: webSocket(options.wsUrl, { retryCount: 3, reconnect: { attempts: 1_000_000, delay: 2_000 } }) }) as PublicClient<
        Transport,
        Chain
      >)
    : undefined;
  const wallet = createWalletClient({ chain, transport, account: signerAccount(options.signer) });
  return {
    chain,
    public: publicClient,
    ws,
    wallet,
    httpRounds: () => rounds,
    close: async () => {
      await ws?.transport
        .getRpcClient?.()
        .then((client: { close(): void }) => client.close())
        .catch(() => undefined);
    },
  };
}

/** Times every JSON-RPC call into blockchain_rpc_request_duration_seconds{method,outcome}. */
function instrument(inner: Transport, metrics: BlockchainMetrics): Transport {
  return ((parameters: Parameters<Transport>[0]) => {
    const transport = inner(parameters);
    const request = transport.request;
    return {
      ...transport,
      request: (async (args: { method: string; params?: unknown }, requestOptions?: unknown) => {
        const end = metrics.rpcDuration.startTimer({ method: args.method });
        try {
          const result = await (request as (a: unknown, o?: unknown) => Promise<unknown>)(args, requestOptions);
          end({ outcome: 'ok' });
          return result;
        } catch (error) {
          end({ outcome: 'error' });
          throw error;
        }
      }) as typeof request,
    };
  }) as Transport;
}

/** True for failures to reach the node at all (as opposed to the node answering with an error). */
export function isUnavailable(error: unknown): boolean {
  for (let cause: unknown = error; cause; cause = (cause as { cause?: unknown }).cause) {
    if (cause instanceof HttpRequestError || cause instanceof TimeoutError || cause instanceof WebSocketRequestError || cause instanceof SocketClosedError) {
      return true;
    }
    if ((cause as { code?: string }).code === 'ECONNREFUSED') return true;
  }
  return false;
}

export const rpcUnavailable = () => clientError('RPC_UNAVAILABLE', 'The Ethereum node cannot be reached; try again shortly');

/** Runs an RPC read, turning "cannot reach the node" into RPC_UNAVAILABLE. */
export async function unavailableOnFailure<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUnavailable(error)) throw rpcUnavailable();
    throw error;
  }
}
