import { Arg, Ctx, Directive, Field, ID, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { DateTimeISOResolver } from 'graphql-scalars';
import { badUserInput, forbidden, notFound } from '@supergraph/server';
import { requireUser } from '@supergraph/subgraph';
import type { ApiKey as ApiKeyRow } from '../generated/prisma/client';
import { Role, Tier } from '../generated/prisma/enums';
import type { UsersContext } from '../context';
import { API_KEY_SCOPES, generateApiKeySecret, hashApiKeySecret, looksLikeApiKey, type ApiKeyScope } from '../auth/api-key-secrets';
import { isUuid } from './ids';

@ObjectType({ description: 'A long-lived credential for programs. The secret is never shown again after creation.' })
class ApiKey {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'The first characters of the secret, to tell keys apart.' })
  prefix!: string;

  @Field(() => [String], { description: 'Any of: read, write, admin.' })
  scopes!: string[];

  @Field(() => DateTimeISOResolver)
  createdAt!: Date;

  @Field(() => DateTimeISOResolver, { nullable: true })
  revokedAt!: Date | null;
}

@ObjectType()
class CreatedApiKey {
  @Field(() => ApiKey)
  apiKey!: ApiKeyRow;

  @Field(() => String, { description: 'Send as `Authorization: Bearer <secret>` or `x-api-key`. Shown only this once.' })
  secret!: string;
}

/** What the router learns about the owner of an API key (internal: hidden from the public schema). */
@Directive('@inaccessible')
@ObjectType()
class ApiKeyPrincipal {
  @Field(() => ID)
  userId!: string;

  @Field(() => [Role])
  roles!: Role[];

  @Field(() => Tier)
  tier!: Tier;

  @Field(() => [String])
  scopes!: string[];
}

const NAME_MAX_LENGTH = 64;
const MAX_ACTIVE_KEYS = 20;

@Resolver()
export class ApiKeyResolver {
  @Directive('@authenticated')
  @Query(() => [ApiKey], {
    nullable: true,
    description: "The signed-in user's API keys, newest first.",
  })
  async apiKeys(@Ctx() ctx: UsersContext): Promise<ApiKeyRow[]> {
    const { userId } = requireUser(ctx.identity);
    return ctx.prisma.apiKey.findMany({ where: { userId }, orderBy: { createdAt: 'desc' } });
  }

  @Mutation(() => CreatedApiKey)
  async createApiKey(
    @Arg('name', () => String) rawName: string,
    @Arg('scopes', () => [String]) scopes: string[],
    @Ctx() ctx: UsersContext,
  ): Promise<CreatedApiKey> {
    const user = requireUser(ctx.identity, 'write');
    // A key can only be minted with a full sign-in, so a leaked key cannot breed more keys.
    if (user.via !== 'jwt') throw forbidden('API keys can only be created from a signed-in session');
    const name = rawName.trim();
    if (name.length === 0 || name.length > NAME_MAX_LENGTH) {
      throw badUserInput(`name must be 1 to ${NAME_MAX_LENGTH} characters`, 'BAD_USER_INPUT', 'name');
    }
    const unknown = scopes.filter((scope) => !(API_KEY_SCOPES as readonly string[]).includes(scope));
    if (scopes.length === 0 || unknown.length > 0) {
      throw badUserInput(`scopes must be a non-empty list of: ${API_KEY_SCOPES.join(', ')}`, 'INVALID_SCOPE', 'scopes');
    }
    if (scopes.includes('admin') && !user.roles.includes(Role.ADMIN)) {
      throw forbidden('Only administrators may create keys with the admin scope');
    }
    const active = await ctx.prisma.apiKey.count({ where: { userId: user.userId, revokedAt: null } });
    if (active >= MAX_ACTIVE_KEYS) throw badUserInput(`At most ${MAX_ACTIVE_KEYS} active API keys`, 'TOO_MANY_API_KEYS');

    const { secret, prefix, secretHash } = generateApiKeySecret();
    const apiKey = await ctx.prisma.apiKey.create({
      data: { userId: user.userId, name, prefix, secretHash, scopes: [...new Set(scopes as ApiKeyScope[])] },
    });
    return { apiKey, secret };
  }

  @Mutation(() => ApiKey)
  async revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: UsersContext): Promise<ApiKeyRow> {
    const { userId } = requireUser(ctx.identity, 'write');
    const key = isUuid(id) ? await ctx.prisma.apiKey.findFirst({ where: { id, userId } }) : null;
    if (!key) throw notFound('API key');
    if (key.revokedAt) return key;
    return ctx.prisma.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
  }

  @Directive('@inaccessible')
  @Query(() => ApiKeyPrincipal, { nullable: true, description: 'Used by the router to authenticate API keys.' })
  async apiKeyPrincipal(@Arg('secret', () => String) secret: string, @Ctx() ctx: UsersContext): Promise<ApiKeyPrincipal | null> {
    if (ctx.identity.kind !== 'service') throw forbidden('Only the router may resolve API keys');
    if (!looksLikeApiKey(secret)) return null;
    const key = await ctx.prisma.apiKey.findUnique({ where: { secretHash: hashApiKeySecret(secret) }, include: { user: true } });
    if (!key || key.revokedAt) return null;
    return { userId: key.userId, roles: key.user.roles, tier: key.user.tier, scopes: key.scopes };
  }
}
