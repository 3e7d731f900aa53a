'use client';
import { useState, type FormEvent } from 'react';
import type { PortalContentStreamSubscription } from '../../../clients/generated/graphql';
import { ErrorList } from './error-list';
import { useLiveSubscription, type LiveOperation } from './live';

/** Tokens asked of the model for one reply: short enough to come back in seconds on the local model. */
const MAX_TOKENS = 96;

/** One reply, growing chunk by chunk as the router streams it. */
function StreamedReply({ live }: { live: LiveOperation<PortalContentStreamSubscription> }) {
  const [reply, setReply] = useState({ text: '', chunks: 0, done: false });
  const state = useLiveSubscription(live, ({ contentStream }) =>
    setReply((current) => ({ text: current.text + contentStream.delta, chunks: current.chunks + 1, done: current.done || contentStream.done })),
  );
  const status = state.kind === 'stopped' ? 'failed' : reply.done || state.kind === 'ended' ? 'done' : 'streaming';
  return (
    <section aria-live="polite" data-generation={status} data-chunks={reply.chunks}>
      <p className="reply">{reply.text || (status === 'streaming' ? 'Thinking…' : '')}</p>
      {state.kind === 'stopped' && <ErrorList messages={state.messages} />}
    </section>
  );
}

/** A prompt form whose reply streams in over graphql-ws; `live` carries the subscription, the prompt goes into its variables. */
export function Generation({ live }: { live: LiveOperation<PortalContentStreamSubscription> }) {
  const [asked, setAsked] = useState<{ prompt: string; number: number } | null>(null);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const prompt = String(new FormData(event.currentTarget).get('prompt') ?? '').trim();
    if (prompt) setAsked((previous) => ({ prompt, number: (previous?.number ?? 0) + 1 }));
  };
  return (
    <>
      <form className="form narrow" onSubmit={submit}>
        <label>
          Prompt
          <textarea name="prompt" rows={3} required maxLength={8000} />
        </label>
        <button type="submit">Generate</button>
      </form>
      {asked && <StreamedReply key={asked.number} live={{ ...live, variables: { ...live.variables, prompt: asked.prompt, maxTokens: MAX_TOKENS } }} />}
    </>
  );
}
