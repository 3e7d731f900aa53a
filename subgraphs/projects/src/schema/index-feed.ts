import { Arg, Ctx, Directive, Field, ID, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { badUserInput } from '@supergraph/server';
import { requireService } from '@supergraph/subgraph';
import { Visibility } from '../generated/prisma/enums';
import type { ProjectsContext } from '../context';
import { readIndexFeed, type IndexFeedEntry } from '../data/index-feed';

export const INDEX_FEED_MAX_PAGE = 500;

@Directive('@inaccessible')
@ObjectType({ description: 'A project as search indexes need it, as of its last event in the page.' })
class ProjectIndexEntry {
  @Field(() => ID)
  id!: string;

  @Field(() => Boolean, { description: 'True when the project no longer exists: drop it from the index (the other fields are then empty).' })
  removed!: boolean;

  @Field(() => ID, { nullable: true })
  ownerId!: string | null;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => Visibility, { nullable: true })
  visibility!: Visibility | null;

  @Field(() => Int, { nullable: true, description: 'The project version (event count) this state is at.' })
  version!: number | null;
}

@Directive('@inaccessible')
@ObjectType({ description: 'One page of the project change feed.' })
class ProjectIndexPage {
  @Field(() => [ProjectIndexEntry])
  projects!: ProjectIndexEntry[];

  @Field(() => String, { description: 'Pass as `after` for the next page; persist it once the page is applied.' })
  cursor!: string;

  @Field(() => Boolean)
  hasMore!: boolean;
}

@Resolver()
export class IndexFeedResolver {
  @Directive('@inaccessible')
  @Query(() => ProjectIndexPage, {
    nullable: true,
    description: 'Service only (hidden from the public API): the current state of every project changed after the cursor, in event order.',
  })
  async projectIndexFeed(
    @Arg('after', () => String, { nullable: true, description: 'A cursor from an earlier page; none starts from the beginning.' }) after: string | null,
    @Arg('first', () => Int, { defaultValue: 200 }) first: number,
    @Ctx() ctx: ProjectsContext,
  ): Promise<ProjectIndexPage> {
    requireService(ctx.identity);
    if (first < 1 || first > INDEX_FEED_MAX_PAGE) throw badUserInput(`first must be between 1 and ${INDEX_FEED_MAX_PAGE}`, 'BAD_USER_INPUT', 'first');
    const page = await readIndexFeed(ctx.prisma, parseCursor(after), first);
    return { projects: page.entries.map(toEntry), cursor: page.cursor.toString(), hasMore: page.hasMore };
  }
}

function parseCursor(after: string | null): bigint {
  if (after === null || after === '') return 0n;
  if (!/^\d{1,18}$/.test(after)) throw badUserInput('after must be a cursor returned by projectIndexFeed', 'BAD_USER_INPUT', 'after');
  return BigInt(after);
}

function toEntry({ id, row }: IndexFeedEntry): ProjectIndexEntry {
  return { id, removed: row === null, ownerId: null, name: null, description: null, visibility: null, version: null, ...row };
}
