import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@supergraph/subgraph';
import type { PaymentsContext } from '../context';
import { PaymentResolver, resolvePaymentReference } from './payment';
import { PlanResolver } from './plan';
import { StakingResolver } from './staking';
import { resolveUserReference, User, UserPaymentsResolver } from './user';

/** The payments subgraph schema; needs no database, so composition can print it anywhere. */
export function buildPaymentsSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema<PaymentsContext>({
    resolvers: [PaymentResolver, UserPaymentsResolver, StakingResolver, PlanResolver],
    // User is reachable only through field resolvers here: listed so it is not dropped.
    orphanedTypes: [User],
    federationDirectives: ['@key'],
    referenceResolvers: { User: resolveUserReference, Payment: resolvePaymentReference },
  });
}
