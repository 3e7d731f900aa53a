import { isAdmin, type Identity } from '@supergraph/identity';
import { notFound } from '@supergraph/server';
import { Visibility } from '../generated/prisma/enums';
import type { ProjectsContext } from '../context';
import { isUuid } from './ids';

/** Public projects are visible to everyone signed in; private ones to their owner, admins and the router. */
export function canRead(project: { ownerId: string; visibility: Visibility }, identity: Identity): boolean {
  return project.visibility === Visibility.PUBLIC || isOwnerOrAdmin(project.ownerId, identity);
}

export function isOwnerOrAdmin(ownerId: string, identity: Identity): boolean {
  return identity.kind === 'service' || (identity.kind === 'user' && identity.userId === ownerId) || isAdmin(identity);
}

/** The project if it exists and the caller may see it, else NOT_FOUND (someone else's private project does not exist for them). */
export async function readableProject(ctx: ProjectsContext, id: string) {
  const project = isUuid(id) ? await ctx.loaders.projectById.load(id) : null;
  if (!project || !canRead(project, ctx.identity)) throw notFound('Project');
  return project;
}

/** Ids that cannot name a project are reported as missing before anything is written. */
export function projectId(id: string): string {
  if (!isUuid(id)) throw notFound('Project');
  return id;
}
