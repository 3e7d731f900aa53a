import {
  Arg,
  Ctx,
  Directive,
  Field,
  FieldResolver,
  Float,
  ID,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
  Subscription,
  registerEnumType,
} from 'type-graphql';
import { DateTimeISOResolver, JSONObjectResolver } from 'graphql-scalars';
import { isAdmin } from '@supergraph/identity';
import type { OutboxEnvelope } from '@supergraph/outbox';
import { filterEvents } from '@supergraph/pubsub';
import { requireUser, ResumeAfter, type ResumeArgs } from '@supergraph/subgraph';
import type { Project as ProjectRow, Task as TaskRow } from '../generated/prisma/client';
import { TaskKind, TaskStatus, Tier } from '../generated/prisma/enums';
import { useEventLoaders, type ProjectsContext } from '../context';
import { TASK_UPDATED, type TaskUpdated } from '../domain/events';
import { estimatePosition, weightedCycle } from '../queue/scheduler';
import { cancelTask, submitTask } from '../tasks/tasks';
import { isOwnerOrAdmin, projectId, readableProject } from './access';
import { isUuid } from './ids';
import { notFound } from '@supergraph/server';
import { Project } from './project';

registerEnumType(TaskKind, {
  name: 'TaskKind',
  description: 'BUILD verifies and digests the files; TEST fails on lines with a marker; ANALYZE counts lines; DEPLOY runs the sandbox.',
});
registerEnumType(TaskStatus, { name: 'TaskStatus' });
registerEnumType(Tier, { name: 'Tier', description: 'Plan a user is on; higher tiers are served first.' });

@Directive('@key(fields: "id")')
@ObjectType({ description: "A job on the project task queue, ordered fairly by its owner's tier." })
export class Task {
  @Field(() => ID)
  id!: string;

  @Field(() => TaskKind)
  kind!: TaskKind;

  @Field(() => TaskStatus)
  status!: TaskStatus;

  @Field(() => Tier, { description: "The owner's tier when it was submitted: decides its share of the queue." })
  tier!: Tier;

  @Field(() => JSONObjectResolver)
  input!: Record<string, unknown>;

  @Field(() => Int, { description: 'Attempts started so far.' })
  attempts!: number;

  @Field(() => Int)
  maxAttempts!: number;

  @Field(() => Float, { nullable: true, description: 'Share of the work done, 0 to 1, for kinds that report it (AI jobs); null otherwise.' })
  progress!: number | null;

  @Field(() => JSONObjectResolver, { nullable: true })
  result!: Record<string, unknown> | null;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed.' })
  error!: string | null;

  @Field(() => Boolean, { description: 'Cancellation was asked for while it was running; it stops at its next checkpoint.' })
  cancelRequested!: boolean;

  @Field(() => DateTimeISOResolver)
  createdAt!: Date;

  @Field(() => DateTimeISOResolver, { nullable: true })
  startedAt!: Date | null;

  @Field(() => DateTimeISOResolver, { nullable: true })
  finishedAt!: Date | null;
}

@Resolver(() => Task)
export class TaskResolver {
  @Query(() => Task, { nullable: true, description: 'One of your tasks.' })
  async task(@Arg('id', () => ID) id: string, @Ctx() ctx: ProjectsContext): Promise<TaskRow | null> {
    requireUser(ctx.identity);
    const task = isUuid(id) ? await ctx.loaders.taskById.load(id) : null;
    return task && isOwnerOrAdmin(task.ownerId, ctx.identity) ? task : null;
  }

  @Mutation(() => Task, { description: 'Queues a task on a project you own; its priority comes from your tier.' })
  async submitTask(
    @Arg('projectId', () => ID) id: string,
    @Arg('kind', () => TaskKind) kind: TaskKind,
    @Arg('input', () => JSONObjectResolver, { nullable: true }) input: Record<string, unknown> | null,
    @Ctx() ctx: ProjectsContext,
  ): Promise<TaskRow> {
    const user = requireUser(ctx.identity, 'write');
    return submitTask(ctx.env, user, projectId(id), kind, input ?? {});
  }

  @Mutation(() => Task, { description: 'Removes a queued task from the queue, or stops a running one at its next checkpoint.' })
  async cancelTask(@Arg('id', () => ID) id: string, @Ctx() ctx: ProjectsContext): Promise<TaskRow> {
    const { userId } = requireUser(ctx.identity, 'write');
    return cancelTask(ctx.env, userId, isUuid(id) ? id : '00000000-0000-0000-0000-000000000000');
  }

  @Subscription(() => Task, {
    description: 'Task status changes: of one project (its owner and admins), or without projectId of all your own tasks (admins: every task).',
    subscribe: async ({ args, context }: { args: { projectId?: string | null } & ResumeArgs; context: ProjectsContext }) => {
      const user = requireUser(context.identity);
      const wanted = args.projectId ? projectId(args.projectId) : null;
      if (wanted) {
        const project = await readableProject(context, wanted);
        if (!isOwnerOrAdmin(project.ownerId, context.identity)) throw notFound('Project');
      }
      const seesAll = isAdmin(user);
      return filterEvents(await context.events.resume<OutboxEnvelope<TaskUpdated>>(TASK_UPDATED, args.after), ({ payload }) =>
        wanted ? payload.projectId === wanted : seesAll || payload.ownerId === user.userId,
      );
    },
  })
  async taskUpdated(
    @Arg('projectId', () => ID, { nullable: true }) _projectId: string | null,
    @ResumeAfter() _after: string | null,
    @Root() event: OutboxEnvelope<TaskUpdated>,
    @Ctx() ctx: ProjectsContext,
  ): Promise<TaskRow | null> {
    useEventLoaders(ctx, event);
    const task = await ctx.loaders.taskById.load(event.payload.taskId);
    return task && asAnnounced(task, event.payload);
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description: 'For a queued task, its estimated place in the queue (1 = next); null otherwise, and while the queue is out of reach.',
  })
  async queuePosition(@Root() task: TaskRow, @Ctx() ctx: ProjectsContext): Promise<number | null> {
    if (task.status !== TaskStatus.QUEUED) return null;
    const queued = await ctx.loaders.queueRankByTaskId.load(task.id);
    if (!queued) return null;
    // Where the round-robin stands is kept in Redis on BullMQ: while Redis is away there is no estimate.
    const cursor = await ctx.env.queue.cursor().catch(() => undefined);
    if (cursor === undefined) return null;
    return estimatePosition(weightedCycle(ctx.config.projects.tierWeights), cursor, queued.waiting, queued.tier, queued.rank);
  }

  @FieldResolver(() => Project, { nullable: true, description: 'The project it works on; null for AI jobs.' })
  async project(@Root() task: TaskRow, @Ctx() ctx: ProjectsContext): Promise<ProjectRow | null> {
    return task.projectId === null ? null : ctx.loaders.projectById.load(task.projectId);
  }
}

/** Relayed events can trail the task: the task as this event announced it, not in a later state. */
export function asAnnounced(task: TaskRow, announced: TaskUpdated): TaskRow {
  return { ...task, status: announced.status as TaskStatus, attempts: announced.attempts, progress: announced.progress ?? null };
}

export async function resolveTaskReference(reference: Record<string, unknown>, ctx: ProjectsContext): Promise<TaskRow | null> {
  const id = reference.id;
  const task = typeof id === 'string' && isUuid(id) ? await ctx.loaders.taskById.load(id) : null;
  return task && isOwnerOrAdmin(task.ownerId, ctx.identity) ? task : null;
}
