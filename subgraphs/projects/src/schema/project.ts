import { Arg, Ctx, Directive, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root, registerEnumType } from 'type-graphql';
import { DateTimeISOResolver, JSONObjectResolver } from 'graphql-scalars';
import { badUserInput } from '@supergraph/server';
import { requireAdmin, requireUser } from '@supergraph/subgraph';
import type { Project as ProjectRow, ProjectFile as FileRow, ProjectVersion as VersionRow, Task as TaskRow } from '../generated/prisma/client';
import { SandboxStatus, Visibility } from '../generated/prisma/enums';
import type { ProjectsContext } from '../context';
import { addFiles, changeSandboxStatus, createProject, cutVersion, removeFile, updateProject, type Actor } from '../domain/commands';
import type { FileSnapshot } from '../domain/events';
import { readStream, rebuildReadModel } from '../data/event-store';
import { canRead, isOwnerOrAdmin, projectId, readableProject } from './access';
import { isUuid } from './ids';
import { Task } from './task';
import { User } from './user';

registerEnumType(Visibility, { name: 'Visibility', description: 'PRIVATE projects are seen by their owner (and admins) only.' });
registerEnumType(SandboxStatus, {
  name: 'SandboxStatus',
  description: 'STOPPED → PROVISIONING → RUNNING or FAILED; RUNNING → STOPPED or FAILED; FAILED → PROVISIONING or STOPPED.',
});

@ObjectType({ description: 'A file of a project as it is now.' })
class ProjectFile {
  @Field(() => String)
  path!: string;

  @Field(() => Int, { description: 'Bytes of UTF-8 content.' })
  size!: number;

  @Field(() => String, { description: 'sha256 of the content, lower-case hex.' })
  contentHash!: string;

  @Field(() => Int, { description: '1 when added, +1 at each change of content.' })
  version!: number;

  @Field(() => String)
  content!: string;

  @Field(() => DateTimeISOResolver)
  updatedAt!: Date;
}

@ObjectType({ description: 'A file as recorded in a version.' })
class VersionFile {
  @Field(() => String)
  path!: string;

  @Field(() => Int)
  size!: number;

  @Field(() => String)
  contentHash!: string;

  @Field(() => Int)
  version!: number;
}

@ObjectType({ description: 'An immutable snapshot of the file list, cut with a message.' })
class ProjectVersion {
  @Field(() => Int, { description: '1, 2, 3… per project.' })
  number!: number;

  @Field(() => String)
  message!: string;

  @Field(() => [VersionFile])
  files!: FileSnapshot[];

  @Field(() => Int, { description: 'The project version (event number) at which it was cut.' })
  eventVersion!: number;

  @Field(() => DateTimeISOResolver)
  createdAt!: Date;
}

@ObjectType({ description: "One event of a project's append-only history." })
class ProjectEvent {
  @Field(() => Int, { description: 'Position in the stream: 1, 2, 3… with no gaps.' })
  version!: number;

  @Field(() => String, { description: 'ProjectCreated, ProjectDetailsChanged, FileAdded, FileChanged, FileRemoved, VersionCut, SandboxStateChanged.' })
  type!: string;

  @Field(() => JSONObjectResolver, { description: 'What changed (file contents left out: read them from `files`).' })
  payload!: object;

  @Field(() => ID, { nullable: true, description: 'The user who caused it; null for the system.' })
  actorId!: string | null;

  @Field(() => DateTimeISOResolver)
  occurredAt!: Date;
}

@InputType()
class FileInput {
  @Field(() => String, { description: 'Relative path with / separators, e.g. src/index.ts.' })
  path!: string;

  @Field(() => String)
  content!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A project: files, versions and a sandbox, event sourced.' })
export class Project {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  description!: string;

  @Field(() => Visibility)
  visibility!: Visibility;

  @Field(() => SandboxStatus)
  sandboxStatus!: SandboxStatus;

  @Field(() => Int, { description: 'Number of events in its history; pass as expectedVersion for optimistic concurrency.' })
  version!: number;

  @Field(() => DateTimeISOResolver)
  createdAt!: Date;

  @Field(() => DateTimeISOResolver)
  updatedAt!: Date;
}

export const HISTORY_MAX_PAGE = 1000;

@Resolver(() => Project)
export class ProjectResolver {
  @Query(() => Project, { nullable: true, description: 'A project you own, or a public one.' })
  async project(@Arg('id', () => ID) id: string, @Ctx() ctx: ProjectsContext): Promise<ProjectRow | null> {
    requireUser(ctx.identity);
    const project = isUuid(id) ? await ctx.loaders.projectById.load(id) : null;
    return project && canRead(project, ctx.identity) ? project : null;
  }

  @Query(() => [ProjectEvent], {
    nullable: true,
    description: "A project's events, oldest first: everything that ever happened to it.",
  })
  async projectHistory(
    @Arg('id', () => ID) id: string,
    @Arg('after', () => Int, { defaultValue: 0, description: 'Only events after this version.' }) after: number,
    @Arg('first', () => Int, { defaultValue: 100 }) first: number,
    @Ctx() ctx: ProjectsContext,
  ): Promise<ProjectEvent[]> {
    requireUser(ctx.identity);
    if (first < 1 || first > HISTORY_MAX_PAGE) throw badUserInput(`first must be between 1 and ${HISTORY_MAX_PAGE}`, 'BAD_USER_INPUT', 'first');
    await readableProject(ctx, id);
    const events = await readStream(ctx.prisma, id, { after, limit: first });
    // File contents stay in the log (replay needs them) but are served by `files`, not here.
    return events.map((event) => {
      if (event.type !== 'FileAdded' && event.type !== 'FileChanged') return event;
      const { content: _content, ...payload } = event.payload;
      return { ...event, payload };
    });
  }

  @Mutation(() => Project)
  async createProject(
    @Arg('name', () => String) name: string,
    @Arg('description', () => String, { nullable: true }) description: string | null,
    @Arg('visibility', () => Visibility, { nullable: true }) visibility: Visibility | null,
    @Ctx() ctx: ProjectsContext,
  ): Promise<ProjectRow> {
    const { userId } = requireUser(ctx.identity, 'write');
    const id = await createProject(ctx.env, userId, { name, description, visibility });
    return fresh(ctx, id);
  }

  @Mutation(() => Project, { description: 'Changes name, description or visibility (the arguments given).' })
  async updateProject(
    @Arg('id', () => ID) id: string,
    @Arg('name', () => String, { nullable: true }) name: string | null,
    @Arg('description', () => String, { nullable: true }) description: string | null,
    @Arg('visibility', () => Visibility, { nullable: true }) visibility: Visibility | null,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: ProjectsContext,
  ): Promise<ProjectRow> {
    await updateProject(ctx.env, writer(ctx), projectId(id), { name, description, visibility }, expectedVersion);
    return fresh(ctx, id);
  }

  @Mutation(() => Project, { description: 'Adds files, or replaces the content of files with the same path.' })
  async addFiles(
    @Arg('projectId', () => ID) id: string,
    @Arg('files', () => [FileInput]) files: FileInput[],
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: ProjectsContext,
  ): Promise<ProjectRow> {
    await addFiles(ctx.env, writer(ctx), projectId(id), files, expectedVersion);
    return fresh(ctx, id);
  }

  @Mutation(() => Project)
  async addFile(
    @Arg('projectId', () => ID) id: string,
    @Arg('path', () => String) path: string,
    @Arg('content', () => String) content: string,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: ProjectsContext,
  ): Promise<ProjectRow> {
    await addFiles(ctx.env, writer(ctx), projectId(id), [{ path, content }], expectedVersion);
    return fresh(ctx, id);
  }

  @Mutation(() => Project)
  async removeFile(
    @Arg('projectId', () => ID) id: string,
    @Arg('path', () => String) path: string,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: ProjectsContext,
  ): Promise<ProjectRow> {
    await removeFile(ctx.env, writer(ctx), projectId(id), path, expectedVersion);
    return fresh(ctx, id);
  }

  @Mutation(() => ProjectVersion, { description: 'Records the current files as a new immutable version.' })
  async cutVersion(
    @Arg('projectId', () => ID) id: string,
    @Arg('message', () => String) message: string,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: ProjectsContext,
  ): Promise<VersionRow> {
    const { events } = await cutVersion(ctx.env, writer(ctx), projectId(id), message, expectedVersion);
    const cut = events[0]!;
    if (cut.type !== 'VersionCut') throw new Error('cutVersion recorded no VersionCut');
    return ctx.prisma.projectVersion.findUniqueOrThrow({ where: { projectId_number: { projectId: id, number: cut.payload.number } } });
  }

  @Mutation(() => Project, { description: 'Moves the sandbox to another status; transitions outside the lifecycle get INVALID_SANDBOX_TRANSITION.' })
  async setSandboxStatus(
    @Arg('projectId', () => ID) id: string,
    @Arg('status', () => SandboxStatus) status: SandboxStatus,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: ProjectsContext,
  ): Promise<ProjectRow> {
    await changeSandboxStatus(ctx.env, writer(ctx), projectId(id), status, null, expectedVersion);
    return fresh(ctx, id);
  }

  @Mutation(() => Int, { description: 'Admins only: rebuilds the read model of one project (or all) from the event log. Returns how many.' })
  async rebuildProjectReadModel(@Arg('projectId', () => ID, { nullable: true }) id: string | null, @Ctx() ctx: ProjectsContext): Promise<number> {
    requireAdmin(ctx.identity);
    return rebuildReadModel(ctx.prisma, id == null ? undefined : projectId(id));
  }

  // Nullable: every field of the owner but its id comes from the users subgraph; its outage nulls the owner, not the project.
  @FieldResolver(() => User, { nullable: true, description: 'The owner. Null while the users subgraph is unavailable, when more than its id is asked.' })
  owner(@Root() project: ProjectRow): User {
    return { id: project.ownerId };
  }

  @FieldResolver(() => [ProjectFile])
  files(@Root() project: ProjectRow, @Ctx() ctx: ProjectsContext): Promise<FileRow[]> {
    return ctx.loaders.filesByProjectId.load(project.id);
  }

  @FieldResolver(() => [ProjectVersion])
  versions(@Root() project: ProjectRow, @Ctx() ctx: ProjectsContext): Promise<VersionRow[]> {
    return ctx.loaders.versionsByProjectId.load(project.id);
  }

  @FieldResolver(() => [Task], { description: 'The latest 50 tasks, newest first (owner and admins only; empty for others).' })
  async tasks(@Root() project: ProjectRow, @Ctx() ctx: ProjectsContext): Promise<TaskRow[]> {
    return isOwnerOrAdmin(project.ownerId, ctx.identity) ? ctx.loaders.tasksByProjectId.load(project.id) : [];
  }
}

export async function resolveProjectReference(reference: Record<string, unknown>, ctx: ProjectsContext): Promise<ProjectRow | null> {
  const id = reference.id;
  const project = typeof id === 'string' && isUuid(id) ? await ctx.loaders.projectById.load(id) : null;
  return project && canRead(project, ctx.identity) ? project : null;
}

function writer(ctx: ProjectsContext): Actor {
  return { kind: 'user', userId: requireUser(ctx.identity, 'write').userId };
}

function fresh(ctx: ProjectsContext, id: string): Promise<ProjectRow> {
  return ctx.prisma.project.findUniqueOrThrow({ where: { id } });
}
