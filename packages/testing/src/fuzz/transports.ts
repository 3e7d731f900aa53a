import WebSocket from 'ws';
import type { FuzzRequest } from './documents';

export type Transport = 'http' | 'graphql-ws' | 'sse';
export const TRANSPORTS: readonly Transport[] = ['http', 'graphql-ws', 'sse'];

/** What came back, as the client saw it, for the verdict to judge. */
export interface FuzzResponse {
  /** The HTTP status (graphql-ws: 101 once the socket opened). */
  status?: number;
  /** The WebSocket's close code, when the server closed it. */
  closeCode?: number;
  /** Everything the server said: the body, the event stream, or every WebSocket message and the close reason. */
  text: string;
  /** No complete answer within the deadline. */
  timedOut: boolean;
  /** The client could not even deliver the request (e.g. connection refused): reported, never silently ignored. */
  transportError?: string;
}

export interface SendOptions {
  /** The router's GraphQL endpoint (http://…/graphql). */
  url: string;
  /** `Bearer …` to sign in; absent for anonymous requests. */
  authorization?: string;
  /** How long a request may take to be answered in full. */
  deadlineMs: number;
  /**
   * A subscription that is accepted stays open until an event: after its first bytes arrive it is
   * watched this long for an error, then closed.
   */
  subscriptionWatchMs: number;
}

/** The request's JSON body, written by hand so variables keep numbers JavaScript cannot hold. */
export function requestBody(request: FuzzRequest): string {
  const parts = [`"query":${JSON.stringify(request.query)}`];
  if (request.variables !== undefined) parts.push(`"variables":${request.variables}`);
  if (request.operationName !== undefined) parts.push(`"operationName":${JSON.stringify(request.operationName)}`);
  return `{${parts.join(',')}}`;
}

export function send(transport: Transport, request: FuzzRequest, options: SendOptions): Promise<FuzzResponse> {
  switch (transport) {
    case 'http':
      return sendHttp(request, options);
    case 'sse':
      return sendServerSentEvents(request, options);
    case 'graphql-ws':
      return sendWebSocket(request, options);
  }
}

async function sendHttp(request: FuzzRequest, options: SendOptions): Promise<FuzzResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(options.authorization ? { authorization: options.authorization } : {}) };
  try {
    const response = await fetch(options.url, { method: 'POST', headers, body: requestBody(request), signal: AbortSignal.timeout(options.deadlineMs) });
    return { status: response.status, text: await response.text(), timedOut: false };
  } catch (error) {
    return failedToSend(error);
  }
}

async function sendServerSentEvents(request: FuzzRequest, options: SendOptions): Promise<FuzzResponse> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'text/event-stream',
    ...(options.authorization ? { authorization: options.authorization } : {}),
  };
  const abort = new AbortController();
  const deadline = setTimeout(() => abort.abort(), options.deadlineMs);
  let text = '';
  let status: number | undefined;
  try {
    const response = await fetch(options.url, { method: 'POST', headers, body: requestBody(request), signal: abort.signal });
    status = response.status;
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    // An accepted subscription streams until an event: watch it a while, then let go.
    if (request.operationType === 'subscription' && status === 200) setTimeout(() => abort.abort('watched'), options.subscriptionWatchMs).unref();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (text.includes('event: complete')) break;
    }
    return { status, text, timedOut: false };
  } catch (error) {
    if (abort.signal.reason === 'watched') return { status, text, timedOut: false };
    return { ...failedToSend(error), status, text };
  } finally {
    clearTimeout(deadline);
    abort.abort('done');
  }
}

/** graphql-transport-ws spoken by hand on a socket of its own, so every frame and the close code are seen as sent. */
function sendWebSocket(request: FuzzRequest, options: SendOptions): Promise<FuzzResponse> {
  return new Promise((resolve) => {
    const socket = new WebSocket(options.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const messages: string[] = [];
    let status: number | undefined;
    let settled = false;
    const finish = (response: Omit<FuzzResponse, 'text' | 'status'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      socket.removeAllListeners();
      socket.on('error', () => {}); // closing a half-open socket may still report
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.terminate();
      resolve({ status, text: messages.join('\n'), ...response });
    };
    const deadline = setTimeout(() => finish({ timedOut: true }), options.deadlineMs);
    socket.on('upgrade', () => (status = 101));
    socket.on('unexpected-response', (_request, response) => {
      status = response.statusCode;
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => (messages.push(body), finish({ timedOut: false })));
    });
    socket.on('open', () => {
      socket.send(JSON.stringify({ type: 'connection_init', payload: options.authorization ? { authorization: options.authorization } : {} }));
    });
    socket.on('message', (data: Buffer) => {
      const text = data.toString();
      messages.push(text);
      const message = parseMessage(text);
      if (message?.type === 'connection_ack') {
        const payload = requestBody(request);
        socket.send(`{"id":"1","type":"subscribe","payload":${payload}}`);
        if (request.operationType === 'subscription') setTimeout(() => finish({ timedOut: false }), options.subscriptionWatchMs).unref();
      } else if (message?.type === 'complete' || message?.type === 'error') finish({ timedOut: false });
      else if (message?.type === 'ping') socket.send('{"type":"pong"}');
    });
    socket.on('close', (code: number, reason: Buffer) => {
      messages.push(`close ${code} ${reason.toString()}`);
      finish({ timedOut: false, closeCode: code });
    });
    socket.on('error', (error) => finish({ ...failedToSend(error), timedOut: false }));
  });
}

function parseMessage(text: string): { type?: string } | undefined {
  try {
    return JSON.parse(text) as { type?: string };
  } catch {
    return undefined;
  }
}

function failedToSend(error: unknown): FuzzResponse {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') return { text: '', timedOut: true };
  return {
    text: '',
    timedOut: false,
    transportError: error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : String(error),
  };
}
