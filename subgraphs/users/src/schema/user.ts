import { Arg, Ctx, Directive, Field, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root, Subscription, registerEnumType } from 'type-graphql';
import { DateTimeISOResolver } from 'graphql-scalars';
import { isAdmin } from '@supergraph/identity';
import { badUserInput, notFound } from '@supergraph/server';
import { requireAdmin, requireUser, ResumeAfter, type ResumeArgs } from '@supergraph/subgraph';
import { Role, Tier } from '../generated/prisma/enums';
import type { User as UserRow } from '../generated/prisma/client';
import type { OutboxEnvelope } from '@supergraph/outbox';
import { filterEvents } from '@supergraph/pubsub';
import { useEventLoaders, type UsersContext } from '../context';
import { ACCOUNT_UPDATED, announceAccountUpdated, type AccountUpdated } from '../events/account-events';
import { isUuid } from './ids';

registerEnumType(Tier, { name: 'Tier', description: 'Plan a user is on; higher tiers are served first.' });
registerEnumType(Role, { name: 'Role' });

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A person with an account. Other subgraphs extend this entity.' })
export class User {
  @Field(() => ID)
  id!: string;

  /** Resolved by UserResolver.email: only the user themself and admins may see it. */
  email?: string | null;

  @Field(() => String)
  displayName!: string;

  @Field(() => Tier)
  tier!: Tier;

  @Field(() => [Role])
  roles!: Role[];

  @Field(() => DateTimeISOResolver)
  createdAt!: Date;
}

@ObjectType()
class UserEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => User)
  node!: UserRow;
}

@ObjectType()
class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType()
class UserConnection {
  @Field(() => [UserEdge])
  edges!: UserEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@Resolver(() => User)
export class UserResolver {
  @Directive('@authenticated')
  @Query(() => User, { nullable: true, description: 'The signed-in user.' })
  async me(@Ctx() ctx: UsersContext): Promise<UserRow | null> {
    const { userId } = requireUser(ctx.identity);
    return ctx.loaders.userById.load(userId);
  }

  @Directive('@authenticated')
  @Query(() => User, { nullable: true })
  async user(@Arg('id', () => ID) id: string, @Ctx() ctx: UsersContext): Promise<UserRow | null> {
    requireUser(ctx.identity);
    return isUuid(id) ? ctx.loaders.userById.load(id) : null;
  }

  @Directive('@requiresScopes(scopes: [["admin"]])')
  @Query(() => UserConnection, {
    nullable: true,
    description: 'Every user, oldest first (admins only).',
  })
  async users(
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: UsersContext,
  ): Promise<UserConnection> {
    requireAdmin(ctx.identity);
    const { maxPageSize } = ctx.config.users;
    if (first < 1 || first > maxPageSize) throw badUserInput(`first must be between 1 and ${maxPageSize}`, 'BAD_USER_INPUT', 'first');
    const position = after == null ? null : decodeCursor(after);
    const rows = await ctx.prisma.user.findMany({
      where: position ? { OR: [{ createdAt: { gt: position.createdAt } }, { createdAt: position.createdAt, id: { gt: position.id } }] } : undefined,
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: first + 1,
    });
    const page = rows.slice(0, first);
    const edges = page.map((node) => ({ node, cursor: encodeCursor(node) }));
    return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  @FieldResolver(() => String, { nullable: true, description: 'Visible to the user themself and to admins.' })
  email(@Root() user: UserRow, @Ctx() ctx: UsersContext): string | null {
    const { identity } = ctx;
    const self = (identity.kind === 'user' && identity.userId === user.id) || ctx.signedInUserId === user.id;
    const mayRead = self || identity.kind === 'service' || isAdmin(identity);
    return mayRead ? user.email : null;
  }

  @FieldResolver(() => [String], { description: 'Wallet addresses linked by Sign-In with Ethereum, lower-case hex.' })
  walletAddresses(@Root() user: UserRow, @Ctx() ctx: UsersContext): Promise<string[]> {
    return ctx.loaders.walletAddressesByUserId.load(user.id);
  }

  @Mutation(() => User, { description: 'Admins only.' })
  async setUserTier(@Arg('userId', () => ID) userId: string, @Arg('tier', () => Tier) tier: Tier, @Ctx() ctx: UsersContext): Promise<UserRow> {
    if (ctx.identity.kind !== 'service') requireAdmin(ctx.identity);
    return updateExisting(ctx, userId, { tier }, 'tier');
  }

  @Mutation(() => User, { description: 'Admins only. Every user keeps the USER role.' })
  async setUserRoles(@Arg('userId', () => ID) userId: string, @Arg('roles', () => [Role]) roles: Role[], @Ctx() ctx: UsersContext): Promise<UserRow> {
    const admin = requireAdmin(ctx.identity);
    const next = [...new Set<Role>([Role.USER, ...roles])];
    if (admin.userId === userId && !next.includes(Role.ADMIN)) {
      throw badUserInput('Admins cannot remove their own ADMIN role', 'CANNOT_DEMOTE_SELF', 'roles');
    }
    return updateExisting(ctx, userId, { roles: next }, 'roles');
  }

  @Subscription(() => User, {
    description: "The signed-in user's account, each time its tier, roles or wallets change.",
    subscribe: async ({ args, context }: { args: ResumeArgs; context: UsersContext }) => {
      const { userId } = requireUser(context.identity);
      return filterEvents(await context.events.resume<OutboxEnvelope<AccountUpdated>>(ACCOUNT_UPDATED, args.after), ({ payload }) => payload.userId === userId);
    },
  })
  accountUpdated(@ResumeAfter() _after: string | null, @Root() event: OutboxEnvelope<AccountUpdated>, @Ctx() ctx: UsersContext): Promise<UserRow | null> {
    useEventLoaders(ctx, event);
    return ctx.loaders.userById.load(event.payload.userId);
  }
}

export function resolveUserReference(reference: Record<string, unknown>, ctx: UsersContext): Promise<UserRow | null> | null {
  const id = reference.id;
  return typeof id === 'string' && isUuid(id) ? ctx.loaders.userById.load(id) : null;
}

/** Changes a user's tier or roles and announces the change in the same transaction. */
async function updateExisting(ctx: UsersContext, userId: string, data: { tier?: Tier; roles?: Role[] }, change: AccountUpdated['change']): Promise<UserRow> {
  if (!isUuid(userId)) throw notFound('User');
  const user = await ctx.prisma.$transaction(async (tx) => {
    const { count } = await tx.user.updateMany({ where: { id: userId }, data });
    if (count === 0) throw notFound('User');
    await announceAccountUpdated(tx, { userId, change });
    return tx.user.findUniqueOrThrow({ where: { id: userId } });
  });
  ctx.onCommitted();
  return user;
}

function encodeCursor(user: UserRow): string {
  return Buffer.from(JSON.stringify([user.createdAt.toISOString(), user.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(createdAt);
    if (!Number.isNaN(date.getTime()) && typeof id === 'string' && isUuid(id)) return { createdAt: date, id };
  } catch {
    // fall through to the error below
  }
  throw badUserInput('after is not a cursor returned by this API', 'BAD_USER_INPUT', 'after');
}
