/**
 * A project's state as a pure fold of its events. Commands decide against it; rebuilding the read
 * model writes what it gives. The live projection (data/projection.ts) applies the same events
 * to the tables one at a time; a test proves both agree.
 */
import { clientError } from '@supergraph/server';
import { SandboxStatus, type Visibility } from '../generated/prisma/enums';
import type { FileSnapshot, RecordedEvent } from './events';

export interface FileState extends FileSnapshot {
  content: string;
  updatedAt: Date;
}

export interface VersionState {
  number: number;
  message: string;
  files: FileSnapshot[];
  eventVersion: number;
  createdAt: Date;
}

export interface ProjectState {
  id: string;
  ownerId: string;
  name: string;
  description: string;
  visibility: Visibility;
  sandboxStatus: SandboxStatus;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  files: Map<string, FileState>;
  versions: VersionState[];
}

export const INITIAL_SANDBOX_STATUS = SandboxStatus.STOPPED;

/** The sandbox lifecycle: every other change of status is refused. */
export const SANDBOX_TRANSITIONS: Record<SandboxStatus, readonly SandboxStatus[]> = {
  STOPPED: [SandboxStatus.PROVISIONING],
  PROVISIONING: [SandboxStatus.RUNNING, SandboxStatus.FAILED],
  RUNNING: [SandboxStatus.STOPPED, SandboxStatus.FAILED],
  FAILED: [SandboxStatus.PROVISIONING, SandboxStatus.STOPPED],
};

export function checkSandboxTransition(from: SandboxStatus, to: SandboxStatus): void {
  if (!SANDBOX_TRANSITIONS[from].includes(to)) {
    throw clientError('INVALID_SANDBOX_TRANSITION', `The sandbox cannot go from ${from} to ${to}`, {
      from,
      to,
      allowed: SANDBOX_TRANSITIONS[from],
    });
  }
}

export function evolve(state: ProjectState | null, event: RecordedEvent): ProjectState {
  if (event.type === 'ProjectCreated') {
    if (state) throw new Error(`Project ${event.projectId} created twice`);
    return {
      id: event.projectId,
      ...event.payload,
      sandboxStatus: INITIAL_SANDBOX_STATUS,
      version: event.version,
      createdAt: event.occurredAt,
      updatedAt: event.occurredAt,
      files: new Map(),
      versions: [],
    };
  }
  if (!state) throw new Error(`Event ${event.type} before ProjectCreated in project ${event.projectId}`);
  const next: ProjectState = { ...state, version: event.version, updatedAt: event.occurredAt };
  switch (event.type) {
    case 'ProjectDetailsChanged':
      return { ...next, ...definedOnly(event.payload) };
    case 'FileAdded':
    case 'FileChanged': {
      const previous = state.files.get(event.payload.path);
      const files = new Map(state.files);
      files.set(event.payload.path, { ...event.payload, version: (previous?.version ?? 0) + 1, updatedAt: event.occurredAt });
      return { ...next, files };
    }
    case 'FileRemoved': {
      const files = new Map(state.files);
      files.delete(event.payload.path);
      return { ...next, files };
    }
    case 'VersionCut':
      return {
        ...next,
        versions: [...state.versions, { ...event.payload, eventVersion: event.version, createdAt: event.occurredAt }],
      };
    case 'SandboxStateChanged':
      return { ...next, sandboxStatus: event.payload.to };
  }
}

export function fold(events: RecordedEvent[]): ProjectState | null {
  return events.reduce<ProjectState | null>(evolve, null);
}

export function fileSnapshots(files: Iterable<FileSnapshot>): FileSnapshot[] {
  return [...files]
    .map(({ path, size, contentHash, version }) => ({ path, size, contentHash, version }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
