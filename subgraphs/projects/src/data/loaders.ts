import DataLoader from 'dataloader';
import type { PerTier } from '@supergraph/config';
import type { PrismaClient, Project, ProjectFile, ProjectVersion, Task } from '../generated/prisma/client';
import type { Tier } from '../generated/prisma/enums';

/**
 * Per-request batching: however many projects or tasks one operation touches (an `_entities`
 * call from the router carries them all at once), each loader turns them into one SQL query.
 */
export interface ProjectsLoaders {
  projectById: DataLoader<string, Project | null>;
  projectsByOwnerId: DataLoader<string, Project[]>;
  filesByProjectId: DataLoader<string, ProjectFile[]>;
  versionsByProjectId: DataLoader<string, ProjectVersion[]>;
  tasksByProjectId: DataLoader<string, Task[]>;
  taskById: DataLoader<string, Task | null>;
  /** A queued task's rank within its tier (1 = first), and how many wait in each tier. */
  queueRankByTaskId: DataLoader<string, { tier: Tier; rank: number; waiting: PerTier } | null>;
}

/** Tasks listed per project: the most recent ones. */
export const TASKS_PER_PROJECT = 50;

export function createLoaders(prisma: PrismaClient): ProjectsLoaders {
  return {
    projectById: byId((ids) => prisma.project.findMany({ where: { id: { in: ids } } })),
    projectsByOwnerId: grouped(
      (ownerIds) => prisma.project.findMany({ where: { ownerId: { in: ownerIds } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      (project) => project.ownerId,
    ),
    filesByProjectId: grouped(
      (projectIds) => prisma.projectFile.findMany({ where: { projectId: { in: projectIds } }, orderBy: { path: 'asc' } }),
      (file) => file.projectId,
    ),
    versionsByProjectId: grouped(
      (projectIds) => prisma.projectVersion.findMany({ where: { projectId: { in: projectIds } }, orderBy: { number: 'asc' } }),
      (version) => version.projectId,
    ),
    tasksByProjectId: new DataLoader(async (projectIds) => {
      // The latest TASKS_PER_PROJECT of each project, in one query.
      const rows = await prisma.$queryRaw<{ id: string }[]>`
        SELECT id FROM (
          SELECT id, row_number() OVER (PARTITION BY project_id ORDER BY seq DESC) AS n
          FROM tasks WHERE project_id = ANY(${[...projectIds]}::uuid[])
        ) latest WHERE n <= ${TASKS_PER_PROJECT}`;
      const tasks = await prisma.task.findMany({ where: { id: { in: rows.map((row) => row.id) } }, orderBy: { seq: 'desc' } });
      const byProject = new Map<string | null, Task[]>();
      for (const task of tasks) byProject.set(task.projectId, [...(byProject.get(task.projectId) ?? []), task]);
      return projectIds.map((id) => byProject.get(id) ?? []);
    }),
    taskById: byId((ids) => prisma.task.findMany({ where: { id: { in: ids } } })),
    queueRankByTaskId: new DataLoader(async (taskIds) => {
      const [ranks, counts] = await Promise.all([
        prisma.$queryRaw<{ id: string; tier: Tier; rank: bigint }[]>`
          SELECT id, tier::text AS tier, rank FROM (
            SELECT id, tier, row_number() OVER (PARTITION BY tier ORDER BY seq) AS rank FROM tasks WHERE status = 'QUEUED'
          ) queued WHERE id = ANY(${[...taskIds]}::uuid[])`,
        prisma.task.groupBy({ by: ['tier'], where: { status: 'QUEUED' }, _count: { _all: true } }),
      ]);
      const waiting: PerTier = { ENTERPRISE: 0, PRO: 0, FREE: 0 };
      for (const count of counts) waiting[count.tier] = count._count._all;
      const byId = new Map(ranks.map((row) => [row.id, { tier: row.tier, rank: Number(row.rank), waiting }]));
      return taskIds.map((id) => byId.get(id) ?? null);
    }),
  };
}

function byId<T extends { id: string }>(load: (ids: string[]) => Promise<T[]>): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const rows = await load([...ids]);
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

function grouped<T>(load: (keys: string[]) => Promise<T[]>, keyOf: (row: T) => string): DataLoader<string, T[]> {
  return new DataLoader(async (keys) => {
    const groups = new Map<string, T[]>();
    for (const row of await load([...keys])) groups.set(keyOf(row), [...(groups.get(keyOf(row)) ?? []), row]);
    return keys.map((key) => groups.get(key) ?? []);
  });
}
