/**
 * What can be done to a project, as commands: validate the input (nothing is written when it is
 * bad), then decide the events against the current state inside the event store's transaction.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ProjectsConfig } from '@supergraph/config';
import { badUserInput, clientError, forbidden, notFound } from '@supergraph/server';
import type { PrismaClient } from '../generated/prisma/client';
import { SandboxStatus, Visibility } from '../generated/prisma/enums';
import { runCommand, type CommandResult, type CurrentProject } from '../data/event-store';
import type { ProjectEventData } from './events';
import { checkSandboxTransition, fileSnapshots } from './project-state';

export const NAME_MAX_LENGTH = 100;
export const DESCRIPTION_MAX_LENGTH = 2000;
export const MESSAGE_MAX_LENGTH = 500;
export const PATH_MAX_LENGTH = 255;

/** Who runs a command: a user (who must own the project) or the system (a task worker). */
export type Actor = { kind: 'user'; userId: string } | { kind: 'system' };

export interface CommandEnv {
  prisma: PrismaClient;
  limits: ProjectsConfig;
}

export interface FileInput {
  path: string;
  content: string;
}

export async function createProject(
  env: CommandEnv,
  ownerId: string,
  input: { name: string; description: string | null; visibility: Visibility | null },
): Promise<string> {
  const name = checkName(input.name);
  const description = checkDescription(input.description ?? '');
  const projectId = randomUUID();
  await runCommand(env.prisma, { projectId, actorId: ownerId, retries: 0 }, () => [
    { type: 'ProjectCreated', payload: { ownerId, name, description, visibility: input.visibility ?? Visibility.PRIVATE } },
  ]);
  return projectId;
}

export function updateProject(
  env: CommandEnv,
  actor: Actor,
  projectId: string,
  input: { name?: string | null; description?: string | null; visibility?: Visibility | null },
  expectedVersion?: number | null,
): Promise<CommandResult> {
  const change = {
    name: input.name == null ? undefined : checkName(input.name),
    description: input.description == null ? undefined : checkDescription(input.description),
    visibility: input.visibility ?? undefined,
  };
  return command(env, actor, projectId, expectedVersion, (project) => {
    const changed = Object.fromEntries(Object.entries(change).filter(([key, value]) => value !== undefined && value !== project[key as keyof typeof change]));
    return Object.keys(changed).length === 0 ? [] : [{ type: 'ProjectDetailsChanged', payload: changed }];
  });
}

/** Adds files, or changes the content of files already there (same path). Unchanged files add no event. */
export function addFiles(env: CommandEnv, actor: Actor, projectId: string, files: FileInput[], expectedVersion?: number | null): Promise<CommandResult> {
  const { maxFilesPerChange, maxFilesPerProject, maxFileBytes } = env.limits;
  if (files.length === 0) throw badUserInput('Give at least one file', 'BAD_USER_INPUT', 'files');
  if (files.length > maxFilesPerChange) {
    throw clientError('TOO_MANY_FILES', `At most ${maxFilesPerChange} files may be added at once`, { field: 'files', limit: maxFilesPerChange });
  }
  const seen = new Set<string>();
  const prepared = files.map((file, index) => {
    const path = checkPath(file.path, `files.${index}.path`);
    if (seen.has(path)) throw badUserInput(`The path ${path} is given twice`, 'DUPLICATE_PATH', `files.${index}.path`);
    seen.add(path);
    const size = Buffer.byteLength(file.content, 'utf8');
    if (size > maxFileBytes) {
      throw clientError('FILE_TOO_LARGE', `${path} is ${size} bytes; the limit is ${maxFileBytes}`, { field: `files.${index}.content`, limit: maxFileBytes });
    }
    return { path, content: file.content, size, contentHash: sha256(file.content) };
  });
  return command(env, actor, projectId, expectedVersion, (project) => {
    const added = prepared.filter((file) => !project.files.has(file.path)).length;
    if (project.files.size + added > maxFilesPerProject) {
      throw clientError('TOO_MANY_FILES', `A project holds at most ${maxFilesPerProject} files`, { field: 'files', limit: maxFilesPerProject });
    }
    return prepared.flatMap((file): ProjectEventData[] => {
      const existing = project.files.get(file.path);
      if (!existing) return [{ type: 'FileAdded', payload: file }];
      return existing.contentHash === file.contentHash ? [] : [{ type: 'FileChanged', payload: file }];
    });
  });
}

export function removeFile(env: CommandEnv, actor: Actor, projectId: string, rawPath: string, expectedVersion?: number | null): Promise<CommandResult> {
  const path = checkPath(rawPath, 'path');
  return command(env, actor, projectId, expectedVersion, (project) => {
    if (!project.files.has(path)) throw clientError('FILE_NOT_FOUND', `${path} is not in this project`, { field: 'path' });
    return [{ type: 'FileRemoved', payload: { path } }];
  });
}

export function cutVersion(env: CommandEnv, actor: Actor, projectId: string, rawMessage: string, expectedVersion?: number | null): Promise<CommandResult> {
  const message = rawMessage.trim();
  if (message.length === 0 || message.length > MESSAGE_MAX_LENGTH) {
    throw badUserInput(`message must be 1 to ${MESSAGE_MAX_LENGTH} characters`, 'BAD_USER_INPUT', 'message');
  }
  return command(env, actor, projectId, expectedVersion, (project) => [
    { type: 'VersionCut', payload: { number: project.versionCount + 1, message, files: fileSnapshots(project.files.values()) } },
  ]);
}

export function changeSandboxStatus(
  env: CommandEnv,
  actor: Actor,
  projectId: string,
  to: SandboxStatus,
  reason: string | null = null,
  expectedVersion?: number | null,
): Promise<CommandResult> {
  return command(env, actor, projectId, expectedVersion, (project) => {
    checkSandboxTransition(project.sandboxStatus, to);
    return [{ type: 'SandboxStateChanged', payload: { from: project.sandboxStatus, to, reason } }];
  });
}

/** A command on an existing project that the actor may change. */
function command(
  env: CommandEnv,
  actor: Actor,
  projectId: string,
  expectedVersion: number | null | undefined,
  decide: (project: CurrentProject) => ProjectEventData[],
): Promise<CommandResult> {
  return runCommand(
    env.prisma,
    { projectId, actorId: actor.kind === 'user' ? actor.userId : null, expectedVersion, retries: env.limits.commandRetries },
    (project) => decide(requireWritable(project, actor)),
  );
}

export function requireWritable(project: CurrentProject | null, actor: Actor): CurrentProject {
  if (!project) throw notFound('Project');
  if (actor.kind === 'user' && project.ownerId !== actor.userId) {
    // Someone else's public project may be read but not changed; a private one does not exist for them.
    if (project.visibility === Visibility.PUBLIC) throw forbidden('Only the owner may change this project');
    throw notFound('Project');
  }
  return project;
}

export function sha256(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

function checkName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > NAME_MAX_LENGTH) throw badUserInput(`name must be 1 to ${NAME_MAX_LENGTH} characters`, 'BAD_USER_INPUT', 'name');
  return name;
}

function checkDescription(description: string): string {
  if (description.length > DESCRIPTION_MAX_LENGTH) {
    throw badUserInput(`description must be at most ${DESCRIPTION_MAX_LENGTH} characters`, 'BAD_USER_INPUT', 'description');
  }
  return description;
}

/** Relative POSIX paths without `.`/`..` segments, empty segments or control characters. */
function checkPath(raw: string, field: string): string {
  const path = raw.trim();
  const segments = path.split('/');
  const valid =
    path.length > 0 &&
    path.length <= PATH_MAX_LENGTH &&
    !path.startsWith('/') &&
    // Control characters are exactly what this rejects.
    // eslint-disable-next-line no-control-regex
    !/[\u0000-\u001f\u007f\\]/.test(path) &&
    segments.every((segment) => segment !== '' && segment !== '.' && segment !== '..');
  if (!valid)
    throw badUserInput(`"${raw.slice(0, 50)}" is not a valid file path (relative, / separated, at most ${PATH_MAX_LENGTH} characters)`, 'INVALID_PATH', field);
  return path;
}
