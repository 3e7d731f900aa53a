/**
 * The events of a project's stream. Each is appended once, never changed; the read model
 * (projects, project_files, project_versions) is what folding them in order gives.
 */
import type { SandboxStatus, Visibility } from '../generated/prisma/enums';

export interface FileSnapshot {
  path: string;
  size: number;
  contentHash: string;
  version: number;
}

export type ProjectEventData =
  | { type: 'ProjectCreated'; payload: { ownerId: string; name: string; description: string; visibility: Visibility } }
  | { type: 'ProjectDetailsChanged'; payload: { name?: string; description?: string; visibility?: Visibility } }
  | { type: 'FileAdded'; payload: { path: string; content: string; size: number; contentHash: string } }
  | { type: 'FileChanged'; payload: { path: string; content: string; size: number; contentHash: string } }
  | { type: 'FileRemoved'; payload: { path: string } }
  | { type: 'VersionCut'; payload: { number: number; message: string; files: FileSnapshot[] } }
  | { type: 'SandboxStateChanged'; payload: { from: SandboxStatus; to: SandboxStatus; reason: string | null } };

export type ProjectEventType = ProjectEventData['type'];

/** An event as stored: its place in the stream and when it happened. */
export type RecordedEvent = ProjectEventData & {
  projectId: string;
  version: number;
  actorId: string | null;
  occurredAt: Date;
};

/** Outbox channels this subgraph announces on (relayed to the event bus after commit). */
export const PROJECT_CHANGED = 'projects.projectChanged';
export const TASK_UPDATED = 'projects.taskUpdated';

export interface ProjectChanged {
  projectId: string;
  ownerId: string;
  version: number;
  type: ProjectEventType;
}

export interface TaskUpdated {
  taskId: string;
  /** Null for AI jobs, which belong to no project. */
  projectId: string | null;
  ownerId: string;
  /** The task's tier when it was queued: what analytics buckets queue waits by. */
  tier?: string;
  status: string;
  attempts: number;
  /** Share of the work done (0 to 1) for kinds that report it, else null. */
  progress: number | null;
}
