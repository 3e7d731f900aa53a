/** The `next` events of a text/event-stream response, parsed, as they arrive. */
export function eventStream(response: Response): { events: unknown[]; atLeast(count: number): Promise<unknown[]>; stop(): Promise<void> } {
  const reader = response.body!.getReader();
  const events: unknown[] = [];
  let ended = false;
  let wake = () => {};
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((line) => line.startsWith('data:'));
          if (block.includes('event: next') && data) events.push(JSON.parse(data.slice(5)));
        }
        wake();
      }
    } catch {
      // Cancelled by stop().
    }
    ended = true;
    wake();
  })();
  return {
    events,
    atLeast: async (count) => {
      while (events.length < count && !ended) await new Promise<void>((resolve) => (wake = resolve));
      return events;
    },
    stop: () => reader.cancel(),
  };
}

/** Reads `next` events until `count` arrived (or the stream ends), then lets go of the stream. */
export async function readEvents(response: Response, count: number): Promise<unknown[]> {
  const stream = eventStream(response);
  await stream.atLeast(count);
  await stream.stop();
  return stream.events;
}
