import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@supergraph/subgraph';
import type { PaymentsContext } from '../context';
import { PaymentResolver, resolvePaymentReference } from './payment';
import { PaymentFraudSignalsResolver } from './payment-fraud-signals';
import { PaymentReviewResolver } from './payment-review';
import { PlanResolver } from './plan';
import { StakingResolver } from './staking';
import { resolveUserReference, User, UserPaymentsResolver } from './user';

/** The payments subgraph schema; needs no database, so composition can print it anywhere. */
export function buildPaymentsSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema<PaymentsContext>({
    resolvers: [PaymentResolver, PaymentFraudSignalsResolver, PaymentReviewResolver, UserPaymentsResolver, StakingResolver, PlanResolver],
    // User is reachable only through field resolvers here: listed so it is not dropped.
    orphanedTypes: [User],
    federationDirectives: ['@key', '@inaccessible'],
    referenceResolvers: { User: resolveUserReference, Payment: resolvePaymentReference },
  });
}
