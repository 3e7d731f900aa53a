/**
 * What each kind of task does. Every handler does real, bounded work on the project's files and
 * calls `checkpoint()` between steps, where a cancellation takes effect. A handler throws to fail
 * the attempt (the runner retries with backoff until the attempts are used up).
 */
import { createHash } from 'node:crypto';
import { badUserInput } from '@supergraph/server';
import { SandboxStatus, TaskKind } from '../generated/prisma/enums';
import { changeSandboxStatus, sha256 } from '../domain/commands';
import { followAiJob } from './ai-jobs';
import type { TaskEnv } from './tasks';

export interface HandlerContext {
  env: TaskEnv;
  /** The task and the attempt this run is: together, the key that makes a repeated delivery of it one run. */
  task: { id: string; attempt: number };
  /** Null for AI jobs, which belong to no project. */
  projectId: string | null;
  input: Record<string, unknown>;
  /** Throws TaskCancelled when someone cancelled the task meanwhile. */
  checkpoint(): Promise<void>;
  /** Records and announces the share of the work done, 0 to 1. */
  reportProgress(progress: number): Promise<void>;
}

export type TaskResult = Record<string, unknown>;

export class TaskFailure extends Error {}

/** Inputs each kind accepts (checked at submit time, so a bad input is refused before it is queued). */
const INPUT_KEYS: Record<TaskKind, Record<string, 'string' | 'number'>> = {
  BUILD: {},
  TEST: { failOn: 'string' },
  ANALYZE: { top: 'number' },
  DEPLOY: { reason: 'string' },
  // AI jobs' inputs are checked by the AI subgraph (see ai-jobs.ts).
  AI_EMBED_BATCH: {},
  AI_GENERATE: {},
  AI_REINDEX_PROJECTS: {},
  AI_RETRAIN_FORECAST: {},
};

export function checkTaskInput(kind: TaskKind, input: Record<string, unknown>): void {
  const allowed = INPUT_KEYS[kind];
  for (const [key, value] of Object.entries(input)) {
    const type = allowed[key];
    if (!type) throw badUserInput(`${kind} tasks take no input "${key}" (allowed: ${Object.keys(allowed).join(', ') || 'none'})`, 'BAD_USER_INPUT', 'input');
    if (
      typeof value !== type ||
      (type === 'string' && (value as string).length > 200) ||
      (type === 'number' && !(Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 100))
    ) {
      throw badUserInput(
        `input.${key} must be a ${type === 'string' ? 'string of at most 200 characters' : 'whole number from 1 to 100'}`,
        'BAD_USER_INPUT',
        'input',
      );
    }
  }
}

export const HANDLERS: Record<TaskKind, (ctx: HandlerContext) => Promise<TaskResult>> = {
  /** Verifies every file against its recorded hash and computes a build digest over the tree. */
  BUILD: async (ctx) => {
    const files = await loadFiles(ctx);
    if (files.length === 0) throw new TaskFailure('Nothing to build: the project has no files');
    const digest = createHash('sha256');
    let bytes = 0;
    for (const [index, file] of files.entries()) {
      if (index % 50 === 0) await ctx.checkpoint();
      if (sha256(file.content) !== file.contentHash) throw new TaskFailure(`${file.path} does not match its recorded hash`);
      digest.update(`${file.path}\0${file.contentHash}\n`);
      bytes += file.size;
    }
    return { digest: digest.digest('hex'), files: files.length, bytes };
  },

  /** Checks every line: a line containing the failure marker (input.failOn, default "FAIL:") is a failed check. */
  TEST: async (ctx) => {
    const marker = typeof ctx.input.failOn === 'string' && ctx.input.failOn !== '' ? ctx.input.failOn : 'FAIL:';
    const files = await loadFiles(ctx);
    let lines = 0;
    const failures: string[] = [];
    for (const [index, file] of files.entries()) {
      if (index % 50 === 0) await ctx.checkpoint();
      file.content.split('\n').forEach((line, number) => {
        lines++;
        if (line.includes(marker)) failures.push(`${file.path}:${number + 1}`);
      });
    }
    if (failures.length > 0) throw new TaskFailure(`${failures.length} failing check(s): ${failures.slice(0, 10).join(', ')}`);
    return { files: files.length, lines, failures: 0 };
  },

  /** Line counts per file extension, TODO markers and the largest files. */
  ANALYZE: async (ctx) => {
    const top = typeof ctx.input.top === 'number' ? ctx.input.top : 5;
    const files = await loadFiles(ctx);
    const byExtension: Record<string, { files: number; lines: number }> = {};
    let lines = 0;
    let todos = 0;
    for (const [index, file] of files.entries()) {
      if (index % 50 === 0) await ctx.checkpoint();
      const fileLines = file.content === '' ? 0 : file.content.split('\n').length;
      const extension = /\.([A-Za-z0-9]+)$/.exec(file.path)?.[1]?.toLowerCase() ?? '(none)';
      const entry = (byExtension[extension] ??= { files: 0, lines: 0 });
      entry.files++;
      entry.lines += fileLines;
      lines += fileLines;
      todos += file.content.match(/\bTODO\b/g)?.length ?? 0;
    }
    const largest = [...files]
      .sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1))
      .slice(0, top)
      .map(({ path, size }) => ({ path, size }));
    return { files: files.length, lines, todos, byExtension, largest };
  },

  /**
   * Deploys to the project's sandbox: stops a running sandbox, provisions, checks the files, and
   * marks it RUNNING — or FAILED when there is nothing to run. Each step is a SandboxStateChanged event.
   */
  DEPLOY: async (ctx) => {
    const reason = typeof ctx.input.reason === 'string' ? ctx.input.reason : 'deploy';
    const status = await sandboxStatus(ctx);
    if (status === SandboxStatus.RUNNING) await move(ctx, SandboxStatus.STOPPED, reason);
    await move(ctx, SandboxStatus.PROVISIONING, reason);
    await ctx.checkpoint();
    const files = await loadFiles(ctx);
    if (files.length === 0) {
      await move(ctx, SandboxStatus.FAILED, 'nothing to deploy');
      throw new TaskFailure('Nothing to deploy: the project has no files');
    }
    const digest = createHash('sha256');
    for (const file of files) digest.update(`${file.path}\0${file.contentHash}\n`);
    const { version } = await move(ctx, SandboxStatus.RUNNING, reason);
    return { sandboxStatus: SandboxStatus.RUNNING, digest: digest.digest('hex'), files: files.length, projectVersion: version };
  },

  /** AI jobs run in the AI subgraph; the worker follows the run and records its progress and result. */
  AI_EMBED_BATCH: (ctx) => followAiJob(ctx, 'EMBED_BATCH'),
  AI_GENERATE: (ctx) => followAiJob(ctx, 'GENERATE'),
  AI_REINDEX_PROJECTS: (ctx) => followAiJob(ctx, 'REINDEX_PROJECTS'),
  AI_RETRAIN_FORECAST: (ctx) => followAiJob(ctx, 'RETRAIN_FORECAST'),
};

/** The project a project task works on (AI jobs have none, and never reach a project handler). */
function projectOf(ctx: HandlerContext): string {
  if (ctx.projectId === null) throw new TaskFailure('This kind of task needs a project');
  return ctx.projectId;
}

function loadFiles(ctx: HandlerContext) {
  return ctx.env.prisma.projectFile.findMany({ where: { projectId: projectOf(ctx) }, orderBy: { path: 'asc' } });
}

async function sandboxStatus(ctx: HandlerContext): Promise<SandboxStatus> {
  const project = await ctx.env.prisma.project.findUnique({ where: { id: projectOf(ctx) }, select: { sandboxStatus: true } });
  if (!project) throw new TaskFailure('The project no longer exists');
  return project.sandboxStatus;
}

function move(ctx: HandlerContext, to: SandboxStatus, reason: string) {
  return changeSandboxStatus(ctx.env, { kind: 'system' }, projectOf(ctx), to, reason);
}
