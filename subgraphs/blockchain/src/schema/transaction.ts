import { Arg, Ctx, Directive, Field, FieldResolver, Int, Mutation, ObjectType, Query, Resolver, Root, registerEnumType } from 'type-graphql';
import { clientError } from '@supergraph/server';
import { requireAdmin } from '@supergraph/subgraph';
import type { TransactionStatus, TransactionView } from '../data/chain-reader';
import type { BlockchainContext } from '../context';
import { Block, toBlock } from './block';
import { parseAddress, parseAmount, parseTransactionHash } from './inputs';

enum TxStatus {
  PENDING = 'PENDING',
  SUCCESS = 'SUCCESS',
  FAILED = 'FAILED',
}
registerEnumType(TxStatus, { name: 'TransactionStatus', description: 'PENDING until mined; FAILED when it reverted.' });

/** The GraphQL parent of Transaction fields: the hash; everything else comes through the loader. */
export interface TransactionRef {
  hash: string;
}

@Directive('@key(fields: "hash")')
@ObjectType({ description: 'An Ethereum transaction.' })
export class Transaction {
  @Field(() => String)
  hash!: string;
}

@Resolver(() => Transaction)
export class TransactionResolver {
  @Query(() => Transaction, {
    nullable: true,
    description: 'A transaction by hash (TRANSACTION_NOT_FOUND when the node does not know it).',
  })
  async transaction(@Arg('hash', () => String) hash: string, @Ctx() ctx: BlockchainContext): Promise<TransactionRef> {
    const parsed = parseTransactionHash(hash);
    if (!(await ctx.loaders.transaction.load(parsed))) throw transactionNotFound(parsed);
    return { hash: parsed };
  }

  @Mutation(() => Transaction, { description: 'Pays $FORGE from the treasury to an address (admins only). Amount in base units.' })
  async sendTokenTransfer(
    @Arg('to', () => String) to: string,
    @Arg('amount', () => String) amount: string,
    @Ctx() ctx: BlockchainContext,
  ): Promise<TransactionRef> {
    requireAdmin(ctx.identity);
    const recipient = parseAddress(to, 'to');
    const value = parseAmount(amount);
    const hash = await ctx.treasury.payout(recipient, value);
    return { hash: hash.toLowerCase() };
  }

  @FieldResolver(() => String)
  async from(@Root() ref: TransactionRef, @Ctx() ctx: BlockchainContext): Promise<string> {
    return (await view(ref, ctx)).from;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Null for a contract creation.' })
  async to(@Root() ref: TransactionRef, @Ctx() ctx: BlockchainContext): Promise<string | null> {
    return (await view(ref, ctx)).to;
  }

  @FieldResolver(() => String, { description: 'ETH sent, in wei.' })
  async value(@Root() ref: TransactionRef, @Ctx() ctx: BlockchainContext): Promise<string> {
    return (await view(ref, ctx)).value.toString();
  }

  @FieldResolver(() => Int)
  async nonce(@Root() ref: TransactionRef, @Ctx() ctx: BlockchainContext): Promise<number> {
    return (await view(ref, ctx)).nonce;
  }

  @FieldResolver(() => TxStatus)
  async status(@Root() ref: TransactionRef, @Ctx() ctx: BlockchainContext): Promise<TransactionStatus> {
    return (await view(ref, ctx)).status;
  }

  @FieldResolver(() => Int, { description: "Blocks on top of the transaction's, its own included; 0 while pending." })
  async confirmations(@Root() ref: TransactionRef, @Ctx() ctx: BlockchainContext): Promise<number> {
    const { blockNumber } = await view(ref, ctx);
    return blockNumber === null ? 0 : Math.max(0, Number(await ctx.reader.head()) - blockNumber + 1);
  }

  @FieldResolver(() => Int, { nullable: true })
  async blockNumber(@Root() ref: TransactionRef, @Ctx() ctx: BlockchainContext): Promise<number | null> {
    return (await view(ref, ctx)).blockNumber;
  }

  @FieldResolver(() => Block, { nullable: true })
  async block(@Root() ref: TransactionRef, @Ctx() ctx: BlockchainContext): Promise<Block | null> {
    const { blockNumber } = await view(ref, ctx);
    const block = blockNumber === null ? null : await ctx.loaders.block.load(blockNumber);
    return block ? toBlock(block) : null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Gas used, once mined.' })
  async gasUsed(@Root() ref: TransactionRef, @Ctx() ctx: BlockchainContext): Promise<string | null> {
    return (await view(ref, ctx)).gasUsed?.toString() ?? null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Why a FAILED transaction reverted, as the contract said it.' })
  async revertReason(@Root() ref: TransactionRef, @Ctx() ctx: BlockchainContext): Promise<string | null> {
    return (await view(ref, ctx)).revertReason;
  }
}

async function view(ref: TransactionRef, ctx: BlockchainContext): Promise<TransactionView> {
  const found = await ctx.loaders.transaction.load(ref.hash);
  if (!found) throw transactionNotFound(ref.hash);
  return found;
}

const transactionNotFound = (hash: string) => clientError('TRANSACTION_NOT_FOUND', `No transaction ${hash} on this chain`);

export function resolveTransactionReference(reference: Record<string, unknown>): TransactionRef | null {
  const hash = reference.hash;
  return typeof hash === 'string' && /^0x[0-9a-fA-F]{64}$/.test(hash) ? { hash: hash.toLowerCase() } : null;
}
