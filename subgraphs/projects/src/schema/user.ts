import { Ctx, Directive, Field, FieldResolver, ID, ObjectType, Resolver, Root } from 'type-graphql';
import type { Project as ProjectRow } from '../generated/prisma/client';
import type { ProjectsContext } from '../context';
import { canRead } from './access';
import { Project } from './project';

/** The users subgraph's entity: this subgraph knows only its id, and adds `projects`. */
@Directive('@key(fields: "id")')
@ObjectType()
export class User {
  @Field(() => ID)
  id!: string;
}

@Resolver(() => User)
export class UserProjectsResolver {
  // Nullable: with projects down the router nulls this field alone (SUBGRAPH_UNAVAILABLE here), not the whole user.
  @FieldResolver(() => [Project], {
    nullable: true,
    description:
      'Their projects, oldest first: all of them for the user themself and admins, public ones for others. Null while the projects subgraph is unavailable.',
  })
  async projects(@Root() user: User, @Ctx() ctx: ProjectsContext): Promise<ProjectRow[]> {
    const projects = await ctx.loaders.projectsByOwnerId.load(user.id);
    return projects.filter((project) => canRead(project, ctx.identity));
  }
}

/** A `User` reference needs nothing looked up: projects are found by the owner id. */
export function resolveUserReference(reference: Record<string, unknown>): User | null {
  return typeof reference.id === 'string' ? { id: reference.id } : null;
}
