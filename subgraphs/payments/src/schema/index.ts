import type { GraphQLSchema } from 'graphql';
import { buildFederatedSchema } from '@supergraph/subgraph';
import type { PaymentsContext } from '../context';
import { PaymentResolver, resolvePaymentReference } from './payment';
import { PaymentFraudSignalsResolver } from './payment-fraud-signals';
import { PaymentReviewResolver } from './payment-review';
import { PlanResolver } from './plan';
import { StakingResolver } from './staking';
import { resolveUserReference, User, UserPaymentsResolver } from './user';

// Every Query field is nullable, lists as [X!]: a non-null root field that fails nulls the whole `data` of an
// operation that also asks other subgraphs, so an outage of this one must null only its own root fields (each with
// SUBGRAPH_UNAVAILABLE). Mutation and Subscription fields stay non-null: a mutation's result is its answer.

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
