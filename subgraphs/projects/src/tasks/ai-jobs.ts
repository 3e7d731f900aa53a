/**
 * AI jobs: long AI work (batch embeddings, batch generation, a rebuild of the project index, a retraining) queued
 * as tasks without a project, on the same fair queue as project tasks, so the owner's tier orders
 * them the same way. The AI subgraph owns what a job may ask (it checks the input at submit time)
 * and does the work; the worker that takes the job asks the AI subgraph to run it under the key
 * `<task id>:<attempt>` and follows the run until it ends, recording its progress on the task.
 * A delivery of the same attempt again (its worker died) asks under the same key, so the AI
 * subgraph joins the run already going, or answers with its stored outcome: the work runs once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { clientError, badUserInput, forbidden } from '@supergraph/server';
import { isAdmin } from '@supergraph/identity';
import { callService, ServiceCallError, type ServiceTarget, type SignedInUser } from '@supergraph/subgraph';
import type { ProjectsServiceConfig } from '@supergraph/config';
import type { Task } from '../generated/prisma/client';
import { TaskKind } from '../generated/prisma/enums';
import { TaskFailure, type HandlerContext, type TaskResult } from './handlers';
import { checkInputSize, queueTask, type TaskEnv } from './tasks';

/** The AI job kinds as clients name them, and the task kind each is stored as. */
export const AI_JOB_KINDS = {
  EMBED_BATCH: TaskKind.AI_EMBED_BATCH,
  GENERATE: TaskKind.AI_GENERATE,
  REINDEX_PROJECTS: TaskKind.AI_REINDEX_PROJECTS,
  RETRAIN_FORECAST: TaskKind.AI_RETRAIN_FORECAST,
} as const;
export type AiJobKind = keyof typeof AI_JOB_KINDS;

/** Rebuilding the project index and retraining the served forecaster are operators' actions. */
const ADMIN_ONLY: ReadonlySet<AiJobKind> = new Set(['REINDEX_PROJECTS', 'RETRAIN_FORECAST']);

/** Batch inputs are larger than a project task's settings; the AI subgraph's per-kind limits apply within this. */
export const AI_JOB_INPUT_MAX_BYTES = 512 * 1024;

/** How long one call to the AI subgraph waits for the run to move before answering anyway. */
const WAIT_SECONDS = 10;
/** Calls in a row that may fail to reach the AI subgraph before the attempt fails (it is then retried). */
const UNREACHABLE_CALLS = 5;

/** The AI subgraph as the projects subgraph and its workers call it. */
export function aiService(config: ProjectsServiceConfig): ServiceTarget {
  return { url: config.projects.aiUrl, signingSecret: config.routerSigningSecret, timeoutMs: (WAIT_SECONDS + 20) * 1000, name: 'ai' };
}

export function isAiJob(kind: TaskKind): boolean {
  return Object.values<TaskKind>(AI_JOB_KINDS).includes(kind);
}

/** Checks the job with the AI subgraph and queues it at the owner's tier. */
export async function submitAiJob(env: TaskEnv, user: SignedInUser, kind: AiJobKind, input: Record<string, unknown>): Promise<Task> {
  if (ADMIN_ONLY.has(kind) && !isAdmin(user)) throw forbidden(`Only administrators may submit ${kind} jobs`);
  checkInputSize(input, AI_JOB_INPUT_MAX_BYTES);
  await askAi(env, `query ($kind: String!, $input: String!) { checkAiJob(kind: $kind, input: $input) }`, { kind, input: JSON.stringify(input) }, 'input');
  return queueTask(env, user, { projectId: null, kind: AI_JOB_KINDS[kind], input });
}

interface AiJobRun {
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  progress: number;
  /** JSON of the result, once SUCCEEDED. */
  result: string | null;
  error: string | null;
}

const RUN = `mutation ($key: ID!, $kind: String!, $input: String!, $seenProgress: Float, $waitSeconds: Float!) {
  runAiJob(key: $key, kind: $kind, input: $input, seenProgress: $seenProgress, waitSeconds: $waitSeconds) { status progress result error }
}`;

/** The handler of every AI kind: has the AI subgraph run the job and follows it to its end. */
export async function followAiJob(ctx: HandlerContext, kind: AiJobKind): Promise<TaskResult> {
  const variables = { key: `${ctx.task.id}:${ctx.task.attempt}`, kind, input: JSON.stringify(ctx.input), waitSeconds: WAIT_SECONDS };
  let seen: number | null = null;
  let unreachable = 0;
  for (;;) {
    await ctx.checkpoint();
    let run: AiJobRun;
    try {
      ({ runAiJob: run } = await callService<{ runAiJob: AiJobRun }>(requireAi(ctx.env), RUN, { ...variables, seenProgress: seen }));
      unreachable = 0;
    } catch (error) {
      // A refusal is final for this attempt; a network failure may be the AI subgraph restarting.
      if (error instanceof ServiceCallError || ++unreachable >= UNREACHABLE_CALLS) throw error;
      await sleep(1000);
      continue;
    }
    if (run.progress !== seen) {
      seen = run.progress;
      await ctx.reportProgress(run.progress);
    }
    if (run.status === 'SUCCEEDED') return JSON.parse(run.result ?? '{}') as TaskResult;
    if (run.status === 'FAILED') throw new TaskFailure(run.error ?? 'The AI job failed');
  }
}

function requireAi(env: TaskEnv): ServiceTarget {
  if (!env.ai) throw new TaskFailure('No AI subgraph is configured for this worker (AI_URL)');
  return env.ai;
}

/** A service call whose refusal for bad input reaches the client as its own BAD_USER_INPUT, naming the argument. */
async function askAi<T>(env: TaskEnv, query: string, variables: Record<string, unknown>, argument: string): Promise<T> {
  try {
    return await callService<T>(requireAi(env), query, variables);
  } catch (error) {
    if (error instanceof ServiceCallError && error.code === 'BAD_USER_INPUT') {
      const field = typeof error.extensions.argument === 'string' ? `${argument}.${error.extensions.argument}` : argument;
      throw badUserInput(error.reason, 'BAD_USER_INPUT', field);
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw clientError('SUBGRAPH_UNAVAILABLE', `The AI subgraph could not check the job: ${reason}`, { serviceName: 'ai' });
  }
}
