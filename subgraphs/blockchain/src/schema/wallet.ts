import { Arg, Ctx, Directive, Field, FieldResolver, Int, ObjectType, Query, Resolver, Root, Subscription, registerEnumType } from 'type-graphql';
import { badUserInput } from '@supergraph/server';
import { filterEvents } from '@supergraph/pubsub';
import { ResumeAfter, type ResumeArgs } from '@supergraph/subgraph';
import type { TokenTransfer as TransferRow } from '../generated/prisma/client';
import { MAX_RECENT_TRANSFERS } from '../data/loaders';
import { useEventLoaders, type BlockchainContext } from '../context';
import { TOKEN_TRANSFER, type TokenTransferEvent } from '../events/chain-events';
import { Transaction, type TransactionRef } from './transaction';
import { parseAddress } from './inputs';

export enum TransferStatus {
  PENDING = 'PENDING',
  CONFIRMED = 'CONFIRMED',
  REMOVED = 'REMOVED',
}
registerEnumType(TransferStatus, {
  name: 'TransferStatus',
  description: 'PENDING when first seen, CONFIRMED once BLOCKCHAIN_CONFIRMATIONS deep, REMOVED when a reorg dropped its block.',
});

@ObjectType({ description: 'A $FORGE Transfer log.' })
export class TokenTransfer {
  @Field(() => String, { description: 'Hash of the transaction that emitted it.' })
  hash!: string;

  @Field(() => Int)
  logIndex!: number;

  @Field(() => String)
  from!: string;

  @Field(() => String)
  to!: string;

  @Field(() => String, { description: 'Base units (18 decimals).' })
  value!: string;

  @Field(() => Int)
  blockNumber!: number;

  @Field(() => TransferStatus)
  status!: TransferStatus;

  /** Set when known together with the status (live events, transaction lookups); computed from the head otherwise. */
  knownConfirmations?: number;
}

@Directive('@key(fields: "address")')
@ObjectType({ description: 'An Ethereum address, with its balances as the chain reports them now.' })
export class Wallet {
  @Field(() => String, { description: 'Lower-case hex.' })
  address!: string;
}

@Resolver(() => Wallet)
export class WalletResolver {
  @Query(() => Wallet, {
    nullable: true,
    description: 'Any address (INVALID_ADDRESS when it is not one).',
  })
  wallet(@Arg('address', () => String) address: string): Wallet {
    return { address: parseAddress(address) };
  }

  @FieldResolver(() => String, { description: 'ETH balance in wei.' })
  async ethBalance(@Root() wallet: Wallet, @Ctx() ctx: BlockchainContext): Promise<string> {
    return (await ctx.loaders.wallet.load(wallet.address)).ethBalance.toString();
  }

  @FieldResolver(() => String, { description: '$FORGE balance in base units (18 decimals).' })
  async forgeBalance(@Root() wallet: Wallet, @Ctx() ctx: BlockchainContext): Promise<string> {
    return (await ctx.loaders.wallet.load(wallet.address)).forgeBalance.toString();
  }

  @FieldResolver(() => Int, { description: 'Transactions sent from this address (its next nonce).' })
  async nonce(@Root() wallet: Wallet, @Ctx() ctx: BlockchainContext): Promise<number> {
    return (await ctx.loaders.wallet.load(wallet.address)).nonce;
  }

  @FieldResolver(() => [TokenTransfer], { description: '$FORGE transfers in or out, newest first.' })
  async recentTransfers(
    @Root() wallet: Wallet,
    @Arg('first', () => Int, { defaultValue: 10 }) first: number,
    @Ctx() ctx: BlockchainContext,
  ): Promise<TokenTransfer[]> {
    if (first < 1 || first > MAX_RECENT_TRANSFERS) throw badUserInput(`first must be between 1 and ${MAX_RECENT_TRANSFERS}`, 'BAD_USER_INPUT', 'first');
    return (await ctx.loaders.recentTransfers.load(wallet.address)).slice(0, first).map(fromRow);
  }
}

@Resolver(() => TokenTransfer)
export class TokenTransferResolver {
  @FieldResolver(() => Int, { description: "Blocks on top of the transfer's, its own included; 0 once REMOVED." })
  async confirmations(@Root() transfer: TokenTransfer, @Ctx() ctx: BlockchainContext): Promise<number> {
    if (transfer.knownConfirmations !== undefined) return transfer.knownConfirmations;
    if (transfer.status === TransferStatus.REMOVED) return 0;
    return Math.max(0, Number(await ctx.reader.head()) - transfer.blockNumber + 1);
  }

  @FieldResolver(() => Transaction)
  transaction(@Root() transfer: TokenTransfer): TransactionRef {
    return { hash: transfer.hash };
  }

  // Signed-in users only: the router refuses anonymous callers at subscribe time.
  @Directive('@authenticated')
  @Subscription(() => TokenTransfer, {
    description: '$FORGE transfers as the follower sees them (again when confirmed or removed); only those from or to `address` when given.',
    subscribe: async ({ args, context }: { args: { address?: string | null } & ResumeArgs; context: BlockchainContext }) => {
      const address = args.address ? parseAddress(args.address) : undefined;
      const events = await context.events.resume<TokenTransferEvent>(TOKEN_TRANSFER, args.after);
      return address ? filterEvents(events, (event) => event.from === address || event.to === address) : events;
    },
  })
  tokenTransfer(
    @Root() event: TokenTransferEvent,
    @Arg('address', () => String, { nullable: true }) _address: string | null,
    @ResumeAfter() _after: string | null,
    @Ctx() ctx: BlockchainContext,
  ): TokenTransfer {
    useEventLoaders(ctx, event);
    return {
      hash: event.txHash,
      logIndex: event.logIndex,
      from: event.from,
      to: event.to,
      value: event.value,
      blockNumber: event.blockNumber,
      status: event.status as TransferStatus,
      knownConfirmations: event.confirmations,
    };
  }
}

function fromRow(row: TransferRow): TokenTransfer {
  return {
    hash: row.txHash,
    logIndex: row.logIndex,
    from: row.fromAddress,
    to: row.toAddress,
    value: row.value,
    blockNumber: Number(row.blockNumber),
    status: row.status as TransferStatus,
  };
}

export function resolveWalletReference(reference: Record<string, unknown>): Wallet | null {
  const address = reference.address;
  return typeof address === 'string' && /^0x[0-9a-fA-F]{40}$/.test(address) ? { address: address.toLowerCase() } : null;
}
