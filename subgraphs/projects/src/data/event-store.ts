/**
 * The event store and the live projection. A command reads the project's current version, decides
 * its events, and appends them at version+1… in one transaction that also updates the read model
 * and writes the outbox. The unique (project_id, version) index makes a concurrent writer that
 * decided on the same version fail; it then retries against the new state, so no write is lost.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { clientError } from '@supergraph/server';
import { Prisma, type PrismaClient } from '../generated/prisma/client';
import { PROJECT_CHANGED, type FileSnapshot, type ProjectChanged, type ProjectEventData, type RecordedEvent } from '../domain/events';
import { fileSnapshots, fold, type ProjectState } from '../domain/project-state';

type Tx = Prisma.TransactionClient;

/** What a command decides against: the read model as of `version`, file contents left out. */
export type CurrentProject = Omit<ProjectState, 'files' | 'versions' | 'createdAt' | 'updatedAt'> & {
  files: Map<string, FileSnapshot>;
  versionCount: number;
};

export interface CommandOptions {
  projectId: string;
  actorId: string | null;
  /** When given, the command is refused with VERSION_CONFLICT unless the project is at exactly this version. */
  expectedVersion?: number | null;
  /** Retries after losing a race with another writer. */
  retries: number;
}

export type Decide = (current: CurrentProject | null) => ProjectEventData[] | Promise<ProjectEventData[]>;

export interface CommandResult {
  events: RecordedEvent[];
  version: number;
}

const TRANSACTION_OPTIONS = { maxWait: 15_000, timeout: 30_000 };
/** Advisory lock serialising appends to project_events (an arbitrary constant, unlike Prisma's migration lock 72707369). */
const APPEND_LOCK_KEY = 72707370;

export async function runCommand(prisma: PrismaClient, options: CommandOptions, decide: Decide): Promise<CommandResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await prisma.$transaction((tx) => decideAndAppend(tx, options, decide), TRANSACTION_OPTIONS);
    } catch (error) {
      if (!isWriteRace(error)) throw error;
      if (attempt >= options.retries) {
        throw clientError('VERSION_CONFLICT', 'The project kept changing while this change was being made; try again', {
          projectId: options.projectId,
        });
      }
      // Jittered, growing pause so a crowd of writers spreads out instead of colliding again.
      await sleep(Math.random() * Math.min(200, 5 * 2 ** Math.min(attempt, 6)));
    }
  }
}

async function decideAndAppend(tx: Tx, options: CommandOptions, decide: Decide): Promise<CommandResult> {
  const current = await loadCurrent(tx, options.projectId);
  const version = current?.version ?? 0;
  if (options.expectedVersion !== undefined && options.expectedVersion !== null && options.expectedVersion !== version) {
    throw clientError('VERSION_CONFLICT', `Expected version ${options.expectedVersion} but the project is at version ${version}`, {
      projectId: options.projectId,
      expectedVersion: options.expectedVersion,
      actualVersion: version,
    });
  }
  const decided = await decide(current);
  if (decided.length === 0) return { events: [], version };
  const occurredAt = new Date();
  const events: RecordedEvent[] = decided.map(
    (event, index) => ({ ...event, projectId: options.projectId, version: version + index + 1, actorId: options.actorId, occurredAt }) as RecordedEvent,
  );
  // Appends take ids and commit one at a time, so ids become visible in increasing order: a reader
  // of the change feed (data/index-feed.ts) that has seen id N will never later find a smaller id
  // committed behind its cursor. Held only from here to commit.
  await tx.$queryRaw`SELECT pg_advisory_xact_lock(${APPEND_LOCK_KEY}::bigint)::text`;
  // The expected-version check: fails with a unique violation if another writer appended first.
  await tx.projectEvent.createMany({
    data: events.map((event) => ({
      projectId: event.projectId,
      version: event.version,
      type: event.type,
      payload: event.payload as Prisma.InputJsonValue,
      actorId: event.actorId,
      occurredAt: event.occurredAt,
    })),
  });
  for (const event of events) await project(tx, event);
  const last = events[events.length - 1]!;
  if (!(events.length === 1 && last.type === 'ProjectCreated')) {
    await tx.project.update({ where: { id: options.projectId }, data: { version: last.version, updatedAt: occurredAt } });
  }
  const ownerId = current?.ownerId ?? (events[0]?.type === 'ProjectCreated' ? events[0].payload.ownerId : '');
  await tx.outboxEvent.createMany({
    data: events.map((event) => ({
      channel: PROJECT_CHANGED,
      payload: { projectId: event.projectId, ownerId, version: event.version, type: event.type } satisfies ProjectChanged,
    })),
  });
  return { events, version: last.version };
}

async function loadCurrent(tx: Tx, projectId: string): Promise<CurrentProject | null> {
  const row = await tx.project.findUnique({
    where: { id: projectId },
    include: { files: { select: { path: true, size: true, contentHash: true, version: true } }, _count: { select: { versions: true } } },
  });
  if (!row) return null;
  const { files, _count, createdAt: _c, updatedAt: _u, ...rest } = row;
  return { ...rest, files: new Map(files.map((file) => [file.path, file])), versionCount: _count.versions };
}

/** The live projection: applies one event to the read model tables. */
async function project(tx: Tx, event: RecordedEvent): Promise<void> {
  const projectId = event.projectId;
  const at = event.occurredAt;
  switch (event.type) {
    case 'ProjectCreated':
      await tx.project.create({
        data: { id: projectId, ...event.payload, sandboxStatus: 'STOPPED', version: event.version, createdAt: at, updatedAt: at },
      });
      return;
    case 'ProjectDetailsChanged':
      await tx.project.update({ where: { id: projectId }, data: event.payload });
      return;
    case 'FileAdded':
      await tx.projectFile.create({ data: { projectId, ...event.payload, version: 1, updatedAt: at } });
      return;
    case 'FileChanged':
      await tx.projectFile.update({
        where: { projectId_path: { projectId, path: event.payload.path } },
        data: { ...event.payload, version: { increment: 1 }, updatedAt: at },
      });
      return;
    case 'FileRemoved':
      await tx.projectFile.delete({ where: { projectId_path: { projectId, path: event.payload.path } } });
      return;
    case 'VersionCut':
      await tx.projectVersion.create({
        data: {
          projectId,
          number: event.payload.number,
          message: event.payload.message,
          files: event.payload.files as unknown as Prisma.InputJsonValue,
          eventVersion: event.version,
          createdAt: at,
        },
      });
      return;
    case 'SandboxStateChanged':
      await tx.project.update({ where: { id: projectId }, data: { sandboxStatus: event.payload.to } });
      return;
  }
}

/** A project's events in order, optionally after a version (exclusive) and at most `limit`. */
export async function readStream(prisma: PrismaClient | Tx, projectId: string, options: { after?: number; limit?: number } = {}): Promise<RecordedEvent[]> {
  const rows = await prisma.projectEvent.findMany({
    where: { projectId, version: { gt: options.after ?? 0 } },
    orderBy: { version: 'asc' },
    take: options.limit,
  });
  return rows.map(
    (row) =>
      ({
        type: row.type,
        payload: row.payload,
        projectId: row.projectId,
        version: row.version,
        actorId: row.actorId,
        occurredAt: row.occurredAt,
      }) as RecordedEvent,
  );
}

/**
 * Rebuilds the read model of one project (or of every project) from the event log alone: folds
 * the events (domain/project-state.ts) and overwrites the project's rows with the result.
 */
export async function rebuildReadModel(prisma: PrismaClient, projectId?: string): Promise<number> {
  const ids = projectId
    ? [projectId]
    : (await prisma.projectEvent.findMany({ where: { version: 1 }, select: { projectId: true }, orderBy: { id: 'asc' } })).map((row) => row.projectId);
  for (const id of ids) {
    await prisma.$transaction(async (tx) => {
      // Lock the stream's head so no append interleaves with the rebuild of this project.
      await tx.$executeRaw`SELECT 1 FROM projects WHERE id = ${id}::uuid FOR UPDATE`;
      const state = fold(await readStream(tx, id));
      await tx.projectFile.deleteMany({ where: { projectId: id } });
      await tx.projectVersion.deleteMany({ where: { projectId: id } });
      if (!state) {
        await tx.project.deleteMany({ where: { id } });
        return;
      }
      await writeState(tx, state);
    }, TRANSACTION_OPTIONS);
  }
  return ids.length;
}

async function writeState(tx: Tx, state: ProjectState): Promise<void> {
  const { files, versions, id, ...row } = state;
  await tx.project.upsert({ where: { id }, create: { id, ...row }, update: row });
  await tx.projectFile.createMany({ data: [...files.values()].map((file) => ({ projectId: id, ...file })) });
  await tx.projectVersion.createMany({
    data: versions.map((version) => ({
      projectId: id,
      ...version,
      files: fileSnapshots(version.files) as unknown as Prisma.InputJsonValue,
    })),
  });
}

/** Another writer appended first (unique violation), or Postgres aborted a conflicting transaction. */
function isWriteRace(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) return error.code === 'P2002' || error.code === 'P2034';
  return false;
}
