'use client';
import { createClient } from 'graphql-ws';
import { useEffect, useRef, useState } from 'react';
import { messageFor, messagesFor } from './error-messages';
import type { RouterError } from './router';

/** A subscription a page runs from the browser (made on the server by liveOperation); TData is what each event carries. */
export interface LiveOperation<TData> {
  /** The router's graphql-ws endpoint as the browser reaches it. */
  url: string;
  query: string;
  variables: Record<string, unknown>;
  /** Never set: carries the event's type from the typed document to the view. */
  readonly event?: TData;
}

/** `ended`: the router completed the subscription (a finite stream such as a generation is then done; a live view has stopped). */
export type LiveState = { kind: 'connecting' } | { kind: 'live' } | { kind: 'ended' } | { kind: 'stopped'; messages: string[] };

const STOPPED = 'Live updates stopped. Reload the page to see the latest.';

/**
 * A one-time ticket for the next socket, from the portal's own server (app/socket-ticket): the page
 * never holds the access token, only tickets that open one socket each within seconds.
 */
async function socketTicket(): Promise<string> {
  const answer = await fetch('/socket-ticket', { method: 'POST' });
  const body = (await answer.json()) as { ticket?: string; errors?: RouterError[] };
  if (!body.ticket) throw new TicketRefused(body.errors ?? []);
  return body.ticket;
}

class TicketRefused extends Error {
  constructor(readonly errors: RouterError[]) {
    super('no socket ticket');
  }
}

/** Words for why a subscription ended: its GraphQL errors, a refused ticket or the socket's close code. */
function stoppedBecause(reason: unknown): string[] {
  if (Array.isArray(reason)) return messagesFor(reason as RouterError[]);
  if (reason instanceof TicketRefused) return messagesFor(reason.errors);
  if (typeof reason === 'object' && reason !== null && (reason as { code?: unknown }).code === 4401)
    return [messageFor({ message: '', extensions: { code: 'UNAUTHENTICATED' } })];
  return [STOPPED];
}

/**
 * Runs `live` over graphql-ws while the component is mounted and hands each event's data to
 * `onEvent`. Every (re)connection asks for a fresh ticket; the state says whether events are flowing.
 */
export function useLiveSubscription<TData>(live: LiveOperation<TData>, onEvent: (data: TData) => void): LiveState {
  const [state, setState] = useState<LiveState>({ kind: 'connecting' });
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const variables = JSON.stringify(live.variables);

  useEffect(() => {
    let ticketError: TicketRefused | undefined;
    const client = createClient({
      url: live.url,
      lazy: false,
      connectionParams: async () => {
        try {
          return { ticket: await socketTicket() };
        } catch (error) {
          ticketError = error instanceof TicketRefused ? error : undefined;
          throw error;
        }
      },
      on: {
        connected: () => setState({ kind: 'live' }),
        closed: () => setState((current) => (current.kind === 'live' ? { kind: 'connecting' } : current)),
      },
    });
    const unsubscribe = client.subscribe<TData>(
      { query: live.query, variables: JSON.parse(variables) as Record<string, unknown> },
      {
        next: (result) => {
          if (result.data) handler.current(result.data as TData);
          if (result.errors) setState({ kind: 'stopped', messages: messagesFor(result.errors as RouterError[]) });
        },
        error: (reason) => setState({ kind: 'stopped', messages: stoppedBecause(ticketError ?? reason) }),
        complete: () => setState((current) => (current.kind === 'stopped' ? current : { kind: 'ended' })),
      },
    );
    return () => {
      unsubscribe();
      void client.dispose();
    };
  }, [live.url, live.query, variables]);

  return state;
}

/** Says whether a live view is receiving events, and in words why not when it stopped. */
export function LiveBadge({ state }: { state: LiveState }) {
  if (state.kind === 'stopped' || state.kind === 'ended') {
    return (
      <p className="unavailable" role="alert" data-live="stopped">
        {state.kind === 'stopped' ? state.messages.join(' ') : STOPPED}
      </p>
    );
  }
  return (
    <p className="muted" data-live={state.kind}>
      {state.kind === 'live' ? '● Live' : 'Connecting…'}
    </p>
  );
}
