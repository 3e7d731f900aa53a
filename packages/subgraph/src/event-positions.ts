import { createSourceEventStream, execute, GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { Arg } from 'type-graphql';
import { eventPosition } from '@supergraph/pubsub';

/**
 * graphql's `subscribe`, with each result's `extensions.position` set to the position of the bus
 * event it was made from: every bus-fed subscription field exposes where its client is, the same
 * way, and the client resumes by passing the last one back as the field's `after`.
 *
 * A coded error from the event source once it runs (the subscriber fell behind the retention
 * window) ends the subscription with that error as its last result, as at subscribe time; thrown,
 * graphql-ws would send it as a bare protocol error the router can only report as a lost source.
 */
export async function subscribeWithPositions(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in stream)) return stream as ExecutionResult;
  const events = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  let ended = false;
  const end = async (): Promise<IteratorReturnResult<undefined>> => {
    ended = true;
    await events.return?.();
    return { value: undefined, done: true };
  };
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      if (ended) return { value: undefined, done: true };
      let item: IteratorResult<unknown>;
      try {
        item = await events.next();
      } catch (error) {
        if (!(error instanceof GraphQLError && error.extensions.code)) throw error;
        await end();
        return { value: { errors: [error] }, done: false };
      }
      if (item.done) return end();
      const result = await execute({ ...args, rootValue: item.value });
      const position = eventPosition(item.value);
      return { value: position ? { ...result, extensions: { ...result.extensions, position } } : result, done: false };
    },
    return: end,
    async throw(error?: unknown) {
      await end();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/** What a bus-fed subscription's `subscribe` receives of its `after` argument. */
export interface ResumeArgs {
  after?: string | null;
}

/**
 * The `after` argument every bus-fed subscription field takes, passed on to `EventBus.resume`. The
 * router never lets two client subscriptions with an `after` share one upstream subscription.
 */
export const ResumeAfter = (): ReturnType<typeof Arg> =>
  Arg('after', () => String, {
    nullable: true,
    description:
      "Resume after this position (an earlier event's `extensions.position`): first the events since, still kept (EVENT_RETENTION), then live ones, none twice. SUBSCRIPTION_POSITION_EXPIRED when they are no longer all kept.",
  });
