import { Arg, Ctx, ID, Mutation, Resolver, Root, Subscription, registerEnumType } from 'type-graphql';
import { JSONObjectResolver } from 'graphql-scalars';
import { notFound } from '@supergraph/server';
import type { OutboxEnvelope } from '@supergraph/outbox';
import { filterEvents } from '@supergraph/pubsub';
import { requireUser, ResumeAfter, type ResumeArgs } from '@supergraph/subgraph';
import type { Task as TaskRow } from '../generated/prisma/client';
import { TaskStatus } from '../generated/prisma/enums';
import { useEventLoaders, type ProjectsContext } from '../context';
import { TASK_UPDATED, type TaskUpdated } from '../domain/events';
import { AI_JOB_KINDS, isAiJob, submitAiJob, type AiJobKind } from '../tasks/ai-jobs';
import { isOwnerOrAdmin } from './access';
import { isUuid } from './ids';
import { asAnnounced, Task } from './task';

/** GraphQL names the kinds without the AI_ prefix they carry among task kinds. */
const AiJobKindEnum = Object.fromEntries(Object.keys(AI_JOB_KINDS).map((kind) => [kind, kind])) as { [K in AiJobKind]: K };
registerEnumType(AiJobKindEnum, {
  name: 'AiJobKind',
  description:
    'EMBED_BATCH: { texts: [String] } → vectors (base64 float32, little-endian); GENERATE: { prompts: [String], options? } → one reply each, ' +
    'from the configured provider with the local model as fallback; REINDEX_PROJECTS (admins): rebuilds the project index; ' +
    'RETRAIN_FORECAST (admins): { backtest? } → retrains the price forecaster and serves it (a new priceForecast modelVersion).',
});

const FINISHED: string[] = [TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELLED];

/**
 * AI jobs are tasks without a project: queued by the owner's tier on the one task queue, run by the
 * AI subgraph, read with `task(id)` like any task. See tasks/ai-jobs.ts.
 */
@Resolver()
export class AiJobResolver {
  @Mutation(() => Task, {
    description:
      'Queues long AI work as a job at your tier, checked by the AI subgraph first (BAD_USER_INPUT names the part of `input` at fault). ' +
      'Follow it with aiJobUpdated, or read it with task(id).',
  })
  async submitAiJob(
    @Arg('kind', () => AiJobKindEnum) kind: AiJobKind,
    @Arg('input', () => JSONObjectResolver) input: Record<string, unknown>,
    @Ctx() ctx: ProjectsContext,
  ): Promise<TaskRow> {
    return submitAiJob(ctx.env, requireUser(ctx.identity, 'write'), kind, input);
  }

  @Subscription(() => Task, {
    description:
      'One AI job of yours (admins: anyone’s): its state now, then each change (status, progress, result) until it ends. ' +
      'With `after`, instead of its state now: the changes since that position, then live ones; a job that has ended meanwhile sends its final state.',
    subscribe: async ({ args, context }: { args: { id: string } & ResumeArgs; context: ProjectsContext }) => {
      requireUser(context.identity);
      // Listening before reading, so no change between the read and the subscription is missed.
      const events = filterEvents(
        await context.events.resume<OutboxEnvelope<TaskUpdated>>(TASK_UPDATED, args.after),
        ({ payload }) => payload.taskId === args.id,
      );
      try {
        const job = isUuid(args.id) ? await context.prisma.task.findUnique({ where: { id: args.id } }) : null;
        if (!job || !isAiJob(job.kind) || !isOwnerOrAdmin(job.ownerId, context.identity)) throw notFound('AI job');
        // A client resuming has the state up to its position and gets the changes since. One whose job
        // ended gets the final state alone: the event that announced the end may be at or before its
        // position (its connection dropped before the subscription completed), and would never come.
        const finished = FINISHED.includes(job.status);
        return untilFinished(args.after == null || finished ? current(job) : undefined, events);
      } catch (error) {
        await events.return?.();
        throw error;
      }
    },
  })
  async aiJobUpdated(
    @Arg('id', () => ID) _id: string,
    @ResumeAfter() _after: string | null,
    @Root() event: OutboxEnvelope<TaskUpdated>,
    @Ctx() ctx: ProjectsContext,
  ): Promise<TaskRow | null> {
    useEventLoaders(ctx, event);
    const task = await ctx.loaders.taskById.load(event.payload.taskId);
    return task && asAnnounced(task, event.payload);
  }
}

/** The job's state now, in the shape of the events that follow it. */
function current(job: TaskRow): OutboxEnvelope<TaskUpdated> {
  const { id: taskId, projectId, ownerId, status, attempts, progress } = job;
  return { id: 'current', channel: TASK_UPDATED, createdAt: new Date().toISOString(), payload: { taskId, projectId, ownerId, status, attempts, progress } };
}

/** `first` (when given), then `events`, ending with the first that announces a finished job. */
async function* untilFinished(
  first: OutboxEnvelope<TaskUpdated> | undefined,
  events: AsyncIterableIterator<OutboxEnvelope<TaskUpdated>>,
): AsyncGenerator<OutboxEnvelope<TaskUpdated>> {
  try {
    if (first) {
      yield first;
      if (FINISHED.includes(first.payload.status)) return;
    }
    for await (const event of events) {
      yield event;
      if (FINISHED.includes(event.payload.status)) return;
    }
  } finally {
    await events.return?.();
  }
}
