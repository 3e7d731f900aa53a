import { randomBytes } from 'node:crypto';
import { Arg, Ctx, Field, Mutation, ObjectType, Resolver } from 'type-graphql';
import { DateTimeISOResolver } from 'graphql-scalars';
import { issueAccessToken } from '@supergraph/identity';
import { badUserInput, clientError } from '@supergraph/server';
import { requireUser } from '@supergraph/subgraph';
import { Prisma, type User as UserRow } from '../generated/prisma/client';
import { Role } from '../generated/prisma/enums';
import type { UsersContext } from '../context';
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, verifyAgainstDecoy, verifyPassword } from '../auth/passwords';
import { verifySiweSignature } from '../auth/siwe';
import { announceAccountUpdated, announceSignedIn } from '../events/account-events';
import { User } from './user';

@ObjectType({ description: 'A signed-in session: send `token` as `Authorization: Bearer <token>`.' })
class AuthPayload {
  @Field(() => String)
  token!: string;

  @Field(() => DateTimeISOResolver)
  expiresAt!: Date;

  @Field(() => User)
  user!: UserRow;
}

@ObjectType({ description: 'A single-use nonce to put in a Sign-In with Ethereum message.' })
class SiweNonce {
  @Field(() => String)
  nonce!: string;

  @Field(() => String, { description: 'The domain the message must name.' })
  domain!: string;

  @Field(() => DateTimeISOResolver)
  expiresAt!: Date;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const EMAIL_MAX_LENGTH = 254;
const DISPLAY_NAME_MAX_LENGTH = 80;

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Creates an account with email and password and signs it in.' })
  async register(
    @Arg('email', () => String) rawEmail: string,
    @Arg('password', () => String) password: string,
    @Arg('displayName', () => String, { nullable: true }) rawDisplayName: string | null,
    @Ctx() ctx: UsersContext,
  ): Promise<AuthPayload> {
    return ctx.metrics.signingIn('register', () => this.createAccount(rawEmail, password, rawDisplayName, ctx));
  }

  private async createAccount(rawEmail: string, password: string, rawDisplayName: string | null, ctx: UsersContext): Promise<AuthPayload> {
    const email = normaliseEmail(rawEmail);
    checkPassword(password);
    const displayName = (rawDisplayName ?? email.split('@')[0] ?? email).trim();
    if (displayName.length === 0 || displayName.length > DISPLAY_NAME_MAX_LENGTH) {
      throw badUserInput(`displayName must be 1 to ${DISPLAY_NAME_MAX_LENGTH} characters`, 'BAD_USER_INPUT', 'displayName');
    }
    const roles = ctx.config.users.adminEmails.includes(email) ? [Role.USER, Role.ADMIN] : [Role.USER];
    const passwordHash = await hashPassword(password);
    try {
      const user = await ctx.prisma.$transaction(async (tx) => {
        const created = await tx.user.create({ data: { email, displayName, passwordHash, roles } });
        await announceSignedIn(tx, { userId: created.id, method: 'register' });
        return created;
      });
      return signedIn(ctx, user);
    } catch (error) {
      // The unique index decides races between two registrations of one email.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw badUserInput('An account with this email already exists', 'EMAIL_TAKEN', 'email');
      }
      throw error;
    }
  }

  @Mutation(() => AuthPayload)
  async login(@Arg('email', () => String) rawEmail: string, @Arg('password', () => String) password: string, @Ctx() ctx: UsersContext): Promise<AuthPayload> {
    return ctx.metrics.signingIn('password', () => this.passwordSignIn(rawEmail, password, ctx));
  }

  private async passwordSignIn(rawEmail: string, password: string, ctx: UsersContext): Promise<AuthPayload> {
    const email = rawEmail.trim().toLowerCase();
    const user = email.length <= EMAIL_MAX_LENGTH ? await ctx.prisma.user.findUnique({ where: { email } }) : null;
    const valid =
      user?.passwordHash && password.length <= PASSWORD_MAX_LENGTH
        ? await verifyPassword(password, user.passwordHash)
        : await verifyAgainstDecoy(password.slice(0, PASSWORD_MAX_LENGTH));
    // One answer for unknown email and wrong password, so accounts cannot be enumerated.
    if (!user || !valid) throw clientError('INVALID_CREDENTIALS', 'Email or password is incorrect');
    // Nothing else is written by a password sign-in: its announcement is a transaction of its own.
    await announceSignedIn(ctx.prisma, { userId: user.id, method: 'password' });
    return signedIn(ctx, user);
  }

  @Mutation(() => SiweNonce, { description: 'Step one of Sign-In with Ethereum.' })
  async siweNonce(@Ctx() ctx: UsersContext): Promise<SiweNonce> {
    const { domain, nonceTtlSeconds } = ctx.config.users.siwe;
    // EIP-4361 nonces are alphanumeric, at least 8 characters.
    const nonce = randomBytes(16).toString('hex');
    const expiresAt = new Date(Date.now() + nonceTtlSeconds * 1000);
    await ctx.prisma.siweNonce.create({ data: { nonce, expiresAt } });
    return { nonce, domain, expiresAt };
  }

  @Mutation(() => AuthPayload, {
    description: 'Signs in with a signed EIP-4361 message; creates an account for a wallet seen for the first time.',
  })
  async signInWithEthereum(
    @Arg('message', () => String) message: string,
    @Arg('signature', () => String) signature: string,
    @Ctx() ctx: UsersContext,
  ): Promise<AuthPayload> {
    return ctx.metrics.signingIn('siwe', () => this.verifyWallet(message, signature, ctx));
  }

  private async verifyWallet(message: string, signature: string, ctx: UsersContext): Promise<AuthPayload> {
    const { address, nonce } = await verifySiweSignature(message, signature, { domain: ctx.config.users.siwe.domain });
    const user = await ctx.prisma.$transaction(async (tx) => {
      await consumeNonce(tx, nonce);
      const wallet = await tx.wallet.findUnique({ where: { address }, include: { user: true } });
      const account = wallet?.user ?? (await tx.user.create({ data: { displayName: shortAddress(address), wallets: { create: { address } } } }));
      await announceSignedIn(tx, { userId: account.id, method: 'siwe' });
      return account;
    });
    return signedIn(ctx, user);
  }

  @Mutation(() => User, { description: 'Links another wallet to the signed-in user, proven by a signed EIP-4361 message.' })
  async linkWallet(
    @Arg('message', () => String) message: string,
    @Arg('signature', () => String) signature: string,
    @Ctx() ctx: UsersContext,
  ): Promise<UserRow> {
    const { userId } = requireUser(ctx.identity, 'write');
    const { address, nonce } = await verifySiweSignature(message, signature, { domain: ctx.config.users.siwe.domain });
    const user = await ctx.prisma.$transaction(async (tx) => {
      await consumeNonce(tx, nonce);
      const existing = await tx.wallet.findUnique({ where: { address } });
      if (existing && existing.userId !== userId) {
        throw badUserInput('This wallet is linked to another account', 'WALLET_ALREADY_LINKED', 'message');
      }
      if (!existing) {
        await tx.wallet.create({ data: { address, userId } });
        await announceAccountUpdated(tx, { userId, change: 'wallets' });
      }
      return tx.user.findUniqueOrThrow({ where: { id: userId } });
    });
    ctx.onCommitted();
    return user;
  }
}

/**
 * Marks a nonce used, exactly once: the conditional update is the arbiter when the same signed
 * message is replayed concurrently, and it runs inside the caller's transaction so a failure
 * later on leaves the nonce unspent.
 */
async function consumeNonce(tx: Prisma.TransactionClient, nonce: string): Promise<void> {
  const now = new Date();
  const { count } = await tx.siweNonce.updateMany({
    where: { nonce, consumedAt: null, expiresAt: { gt: now } },
    data: { consumedAt: now },
  });
  if (count === 1) return;
  const known = await tx.siweNonce.findUnique({ where: { nonce } });
  if (!known) throw badUserInput('Nonce was not issued by this server', 'SIWE_NONCE_INVALID', 'message');
  if (known.consumedAt) throw badUserInput('Nonce has already been used', 'SIWE_NONCE_USED', 'message');
  throw badUserInput('Nonce has expired; request a new one', 'SIWE_NONCE_EXPIRED', 'message');
}

/** The session of a user whose sign-in has been committed, announcement included. */
async function signedIn(ctx: UsersContext, user: UserRow): Promise<AuthPayload> {
  ctx.onCommitted();
  const { token, expiresAt } = await issueAccessToken({ userId: user.id, roles: user.roles, tier: user.tier }, ctx.config.jwt);
  ctx.signedInUserId = user.id;
  return { token, expiresAt, user };
}

function normaliseEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > EMAIL_MAX_LENGTH || !EMAIL.test(email)) {
    throw badUserInput('Email address is not valid', 'EMAIL_INVALID', 'email');
  }
  return email;
}

function checkPassword(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH) {
    throw badUserInput(`Password must be at least ${PASSWORD_MIN_LENGTH} characters`, 'PASSWORD_TOO_SHORT', 'password');
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    throw badUserInput(`Password must be at most ${PASSWORD_MAX_LENGTH} characters`, 'PASSWORD_TOO_LONG', 'password');
  }
}

function shortAddress(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}
