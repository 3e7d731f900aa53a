/**
 * Tasks: submitted by a project's owner, ordered by the fair queue, run by workers. The tasks
 * table is the source of truth for status, attempts, result and error; the queue only decides
 * what runs next. Every status change also writes a `projects.taskUpdated` outbox row.
 */
import { badUserInput, clientError, continueTrace, notFound, SpanKind, traceCarrier, type Logger } from '@supergraph/server';
import type { Tier } from '@supergraph/identity';
import type { ServiceTarget } from '@supergraph/subgraph';
import { Prisma, type Task } from '../generated/prisma/client';
import { TaskStatus, type TaskKind } from '../generated/prisma/enums';
import { requireWritable, type CommandEnv } from '../domain/commands';
import { TASK_UPDATED, type TaskUpdated } from '../domain/events';
import type { ProjectsMetrics } from '../metrics';
import type { QueuedJob, TaskQueue } from '../queue/task-queue';
import { isAiJob } from './ai-jobs';
import { checkTaskInput, HANDLERS, type TaskResult } from './handlers';

export const INPUT_MAX_BYTES = 4096;

export class TaskCancelled extends Error {
  constructor() {
    super('The task was cancelled');
  }
}

export interface TaskEnv extends CommandEnv {
  queue: TaskQueue;
  /** What each kind does; HANDLERS unless a test substitutes one. */
  handlers?: Partial<typeof HANDLERS>;
  /** Counts waits and outcomes where tasks run; tests that drive the worker by hand may leave it out. */
  metrics?: ProjectsMetrics;
  /** The AI subgraph, which checks and runs AI jobs; without it AI jobs are refused at submit and fail when run. */
  ai?: ServiceTarget;
}

export const PENDING: TaskStatus[] = [TaskStatus.QUEUED, TaskStatus.RUNNING];

export async function submitTask(
  env: TaskEnv,
  user: { userId: string; tier: Tier },
  projectId: string,
  kind: TaskKind,
  input: Record<string, unknown>,
): Promise<Task> {
  if (isAiJob(kind)) throw badUserInput(`${kind} is an AI job: submit it with submitAiJob`, 'BAD_USER_INPUT', 'kind');
  checkInputSize(input, INPUT_MAX_BYTES);
  checkTaskInput(kind, input);
  return queueTask(env, user, { projectId, kind, input }, async (tx) => {
    const project = await tx.project.findUnique({ where: { id: projectId } });
    requireWritable(project && { ...project, files: new Map(), versionCount: 0 }, { kind: 'user', userId: user.userId });
  });
}

export function checkInputSize(input: Record<string, unknown>, maxBytes: number): void {
  if (Buffer.byteLength(JSON.stringify(input)) > maxBytes) {
    throw badUserInput(`input must be at most ${maxBytes} bytes of JSON`, 'INPUT_TOO_LARGE', 'input');
  }
}

/**
 * Stores a task (QUEUED) within the owner's limit of unfinished tasks and puts it on the queue:
 * project tasks and AI jobs alike. `authorize` runs inside the transaction, before the limit.
 */
export async function queueTask(
  env: TaskEnv,
  user: { userId: string; tier: Tier },
  task: { projectId: string | null; kind: TaskKind; input: Record<string, unknown> },
  authorize?: (tx: Prisma.TransactionClient) => Promise<void>,
): Promise<Task> {
  const { projectId, kind, input } = task;
  const limit = env.limits.maxPendingTasks[user.tier];
  const created = await env.prisma.$transaction(async (tx) => {
    // One submitter at a time per user, so the limit below cannot be overshot by a burst.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`tasks:${user.userId}`}))`;
    await authorize?.(tx);
    const pending = await tx.task.count({ where: { ownerId: user.userId, status: { in: PENDING } } });
    if (pending >= limit) {
      throw clientError('TOO_MANY_TASKS', `The ${user.tier} tier allows ${limit} unfinished tasks at once`, { limit, tier: user.tier });
    }
    const row = await tx.task.create({
      data: {
        projectId,
        ownerId: user.userId,
        tier: user.tier,
        kind,
        input: input as Prisma.InputJsonValue,
        maxAttempts: Math.max(1, env.limits.taskMaxAttempts),
      },
    });
    await announce(tx, row);
    return row;
  });
  // The task is saved: when the queue is out of reach (Redis away), the submit still answers at once
  // and the task is put on the queue when it is back (enqueueWaiting), or by the next start.
  await env.queue.enqueue({ ...queuedJob(created), trace: traceCarrier() }).catch(() => undefined);
  return created;
}

/** Cancels a task: a queued one leaves the queue now; a running one stops at its next checkpoint. */
export async function cancelTask(env: TaskEnv, userId: string, taskId: string): Promise<Task> {
  const task = await env.prisma.task.findUnique({ where: { id: taskId } });
  if (!task || task.ownerId !== userId) throw notFound('Task');
  if (task.status === TaskStatus.QUEUED) {
    const cancelled = await transition(env, task.id, [TaskStatus.QUEUED], { status: TaskStatus.CANCELLED, finishedAt: new Date(), cancelRequested: true });
    if (cancelled) {
      await env.queue.remove(queuedJob(cancelled)).catch(() => false); // best effort: a worker skips cancelled tasks anyway
      return cancelled;
    }
    return cancelTask(env, userId, taskId); // it started meanwhile
  }
  if (task.status === TaskStatus.RUNNING) {
    await env.prisma.task.updateMany({ where: { id: task.id, status: TaskStatus.RUNNING }, data: { cancelRequested: true } });
    return env.prisma.task.findUniqueOrThrow({ where: { id: task.id } });
  }
  throw clientError('TASK_FINISHED', `The task has already finished (${task.status})`, { status: task.status });
}

/**
 * The worker's side: runs one attempt of a task. Outcomes (success, failure, retry, cancellation)
 * are recorded here; a failed attempt with attempts left goes back on the queue after
 * taskBackoffMs × 2^(attempt−1).
 */
export function processJob(env: TaskEnv, job: QueuedJob, logger: Logger): Promise<void> {
  return continueTrace(
    'projects.task',
    job.trace ?? {},
    { 'task.id': job.taskId, 'task.attempt': String(job.attempt) },
    () => runAttempt(env, job, logger),
    SpanKind.CONSUMER,
  );
}

async function runAttempt(env: TaskEnv, job: QueuedJob, logger: Logger): Promise<void> {
  const started =
    // Only the job of the attempt the task waits for starts it: a job of an earlier attempt, put on
    // the queue again by enqueueWaiting after that attempt ran, is stale.
    (await transition(
      env,
      job.taskId,
      [TaskStatus.QUEUED],
      { status: TaskStatus.RUNNING, attempts: { increment: 1 }, startedAt: new Date() },
      { attempts: job.attempt - 1 },
    )) ??
    // BullMQ hands a job out again when the worker running it died (its lock expired): run that attempt again.
    (await transition(env, job.taskId, [TaskStatus.RUNNING], { startedAt: new Date() }, { attempts: job.attempt }));
  if (!started) return; // cancelled, finished, or a stale delivery of an earlier attempt
  env.metrics?.started(started);
  const checkpoint = async () => {
    const row = await env.prisma.task.findUnique({ where: { id: started.id }, select: { cancelRequested: true } });
    if (!row || row.cancelRequested) throw new TaskCancelled();
  };
  let result: TaskResult;
  try {
    await checkpoint();
    const handler = env.handlers?.[started.kind] ?? HANDLERS[started.kind];
    result = await handler({
      env,
      task: { id: started.id, attempt: started.attempts },
      projectId: started.projectId,
      input: started.input as Record<string, unknown>,
      checkpoint,
      reportProgress: (progress) => reportProgress(env, started.id, progress),
    });
  } catch (error) {
    if (error instanceof TaskCancelled) {
      if (await transition(env, started.id, [TaskStatus.RUNNING], { status: TaskStatus.CANCELLED, finishedAt: new Date() }))
        env.metrics?.finished(started, TaskStatus.CANCELLED);
      return;
    }
    const message = describeFailure(error);
    if (started.attempts < started.maxAttempts) {
      const retried = await transition(env, started.id, [TaskStatus.RUNNING], { status: TaskStatus.QUEUED, error: message });
      if (retried) {
        env.metrics?.finished(started, 'RETRIED');
        const delayMs = env.limits.taskBackoffMs * 2 ** (started.attempts - 1);
        // Out of reach (Redis away), the retry is queued when it is back (enqueueWaiting), without its delay.
        await env.queue.enqueue(queuedJob(retried), { delayMs }).catch(() => undefined);
        logger.info('task attempt failed; retrying', { taskId: started.id, attempt: started.attempts, delayMs, error: message });
      }
      return;
    }
    if (await transition(env, started.id, [TaskStatus.RUNNING], { status: TaskStatus.FAILED, error: message, finishedAt: new Date() })) {
      env.metrics?.finished(started, TaskStatus.FAILED);
    }
    return;
  }
  logger.debug('task succeeded', { taskId: started.id, kind: started.kind, attempt: started.attempts });
  const succeeded = await transition(env, started.id, [TaskStatus.RUNNING], {
    status: TaskStatus.SUCCEEDED,
    result: result as Prisma.InputJsonValue,
    error: null,
    finishedAt: new Date(),
  });
  if (succeeded) env.metrics?.finished(started, TaskStatus.SUCCEEDED);
}

/** Records how far a running task is (0 to 1) and announces it, like every other change of a task. */
async function reportProgress(env: TaskEnv, taskId: string, progress: number): Promise<void> {
  await transition(env, taskId, [TaskStatus.RUNNING], { progress: Math.min(1, Math.max(0, progress)) });
}

/**
 * After a restart of the embedded queue (whose only worker is this process): tasks that were
 * running when it stopped go back to QUEUED, and every queued task is enqueued again.
 */
export async function requeueWaiting(env: TaskEnv): Promise<number> {
  await env.prisma.task.updateMany({ where: { status: TaskStatus.RUNNING }, data: { status: TaskStatus.QUEUED } });
  return enqueueWaiting(env);
}

/**
 * Puts the next attempt of every QUEUED task on the queue, in submission order: what a submit or a
 * retry saved while the queue was out of reach. On BullMQ an attempt already queued stays as it is
 * (its job id is the task's and the attempt's), so this never queues one twice.
 */
export async function enqueueWaiting(env: TaskEnv): Promise<number> {
  let count = 0;
  for (let after = -1n; ;) {
    const page = await env.prisma.task.findMany({ where: { status: TaskStatus.QUEUED, seq: { gt: after } }, orderBy: { seq: 'asc' }, take: 500 });
    for (const task of page) await env.queue.enqueue(queuedJob(task));
    count += page.length;
    if (page.length < 500) return count;
    after = page.at(-1)!.seq;
  }
}

/**
 * Runs `enqueueWaiting` when asked (at start, each time Redis is back) and again, backing off, until
 * it succeeds: the first commands after a reconnect can still fail (the connection drops again, Redis
 * is still loading), and a task saved during the outage must not wait for the next outage to be queued.
 * Asks that come while a run or its retry is pending are folded into one more run after it.
 */
export function waitingTasksSweeper(env: TaskEnv, logger: Logger, retry = { firstMs: 500, maxMs: 10_000 }): { sweep(): void; stop(): void } {
  let stopped = false;
  let pending = false;
  let askedAgain = false;
  let timer: NodeJS.Timeout | undefined;
  const run = (delayMs: number): void => {
    if (stopped) return;
    pending = true;
    enqueueWaiting(env).then(
      () => {
        pending = false;
        if (askedAgain) {
          askedAgain = false;
          run(retry.firstMs);
        }
      },
      (error: unknown) => {
        logger.warn('could not queue the waiting tasks yet; trying again', {
          error: error instanceof Error ? error.message : String(error),
          retryInMs: delayMs,
        });
        timer = setTimeout(() => run(Math.min(delayMs * 2, retry.maxMs)), delayMs);
      },
    );
  };
  return {
    sweep: () => (pending ? (askedAgain = true) : run(retry.firstMs)),
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** The job of a task's next attempt. */
export function queuedJob(task: Pick<Task, 'id' | 'tier' | 'attempts'>): QueuedJob {
  return { taskId: task.id, tier: task.tier, attempt: task.attempts + 1 };
}

/** Applies `data` only if the task is in one of `from`; returns the updated task, or null. */
async function transition(
  env: CommandEnv,
  taskId: string,
  from: TaskStatus[],
  data: Prisma.TaskUpdateManyMutationInput,
  where: Prisma.TaskWhereInput = {},
): Promise<Task | null> {
  return env.prisma.$transaction(async (tx) => {
    const { count } = await tx.task.updateMany({ where: { ...where, id: taskId, status: { in: from } }, data });
    if (count === 0) return null;
    const task = await tx.task.findUniqueOrThrow({ where: { id: taskId } });
    await announce(tx, task);
    return task;
  });
}

function announce(tx: Prisma.TransactionClient, task: Task) {
  const payload: TaskUpdated = {
    taskId: task.id,
    projectId: task.projectId,
    ownerId: task.ownerId,
    tier: task.tier,
    status: task.status,
    attempts: task.attempts,
    progress: task.progress,
  };
  return tx.outboxEvent.create({ data: { channel: TASK_UPDATED, payload: payload as unknown as Prisma.InputJsonValue } });
}

function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.slice(0, 1000);
}
