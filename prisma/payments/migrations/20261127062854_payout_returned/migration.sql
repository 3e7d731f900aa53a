-- AlterEnum
ALTER TYPE "PayoutStatus" ADD VALUE 'RETURNED';
