import { Directive, Field, FieldResolver, ID, ObjectType, Resolver, Root } from 'type-graphql';
import { Wallet } from './wallet';

/** The users subgraph's User, extended with the wallets behind its linked addresses. */
@Directive('@key(fields: "id")')
@ObjectType()
export class User {
  @Field(() => ID)
  id!: string;

  @Directive('@external')
  @Field(() => [String], { description: 'Owned by the users subgraph: linked wallet addresses, lower-case hex.' })
  walletAddresses!: string[];
}

@Resolver(() => User)
export class UserWalletsResolver {
  @Directive('@requires(fields: "walletAddresses")')
  // Nullable: with blockchain down the router nulls this field alone (SUBGRAPH_UNAVAILABLE here), not the whole user.
  @FieldResolver(() => [Wallet], {
    nullable: true,
    description:
      'Balances and recent $FORGE transfers of each linked wallet (one RPC round for any number of users). Null while the blockchain subgraph is unavailable.',
  })
  wallets(@Root() user: User): Wallet[] {
    return (user.walletAddresses ?? []).filter((address) => /^0x[0-9a-f]{40}$/.test(address)).map((address) => ({ address }));
  }
}

export function resolveUserReference(reference: Record<string, unknown>): User | null {
  const id = reference.id;
  if (typeof id !== 'string') return null;
  const addresses = Array.isArray(reference.walletAddresses) ? reference.walletAddresses.filter((item): item is string => typeof item === 'string') : [];
  return { id, walletAddresses: addresses.map((address) => address.toLowerCase()) };
}
