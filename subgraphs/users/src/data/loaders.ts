import DataLoader from 'dataloader';
import type { PrismaClient } from '../generated/prisma/client';
import type { User } from '../generated/prisma/client';

/**
 * Per-request batching: however many users one operation touches (an `_entities` call from the
 * router carries them all at once), each loader turns them into one SQL query.
 */
export interface UsersLoaders {
  userById: DataLoader<string, User | null>;
  walletAddressesByUserId: DataLoader<string, string[]>;
}

export function createLoaders(prisma: PrismaClient): UsersLoaders {
  return {
    userById: new DataLoader(async (ids) => {
      const users = await prisma.user.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(users.map((user) => [user.id, user]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    walletAddressesByUserId: new DataLoader(async (userIds) => {
      const wallets = await prisma.wallet.findMany({
        where: { userId: { in: [...userIds] } },
        orderBy: { linkedAt: 'asc' },
        select: { userId: true, address: true },
      });
      const byUser = new Map<string, string[]>();
      for (const wallet of wallets) byUser.set(wallet.userId, [...(byUser.get(wallet.userId) ?? []), wallet.address]);
      return userIds.map((id) => byUser.get(id) ?? []);
    }),
  };
}
