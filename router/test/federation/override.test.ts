import { describeDifferential, federation } from './harness';

/**
 * @override: fields moved from one subgraph to another, outright and progressively (labels). A
 * progressive override stays with the subgraph it comes from until the router activates its label,
 * and the router activates none yet (neither stock nor ours), so `percent(…)` and custom labels
 * resolve in the old subgraph; the old and new subgraphs answer differently, so the test tells
 * which one answered.
 */

const accounts = [
  { id: 'a1', owner: 'Ada' },
  { id: 'a2', owner: 'Grace' },
];
const answeredBy = (subgraph: string) => (account: { id: string }) => `${account.id}@${subgraph}`;

describeDifferential('@override, with and without progressive labels', {
  subgraphs: {
    legacy: {
      typeDefs:
        federation(['@key', '@shareable']) +
        `type Query { accounts: [Account!]! }
         type Account @key(fields: "id") { id: ID! owner: String! balance: String! plan: String! tier: String! region: String }`,
      resolvers: {
        Query: { accounts: () => accounts },
        Account: {
          __resolveReference: (ref: { id: string }) => accounts.find((account) => account.id === ref.id),
          balance: answeredBy('legacy'),
          plan: answeredBy('legacy'),
          tier: answeredBy('legacy'),
          region: answeredBy('legacy'),
        },
      },
    },
    billing: {
      typeDefs:
        federation(['@key', '@override']) +
        `type Query { account(id: ID!): Account }
         type Account @key(fields: "id") {
           id: ID!
           balance: String! @override(from: "legacy")
           plan: String! @override(from: "legacy", label: "percent(0)")
           tier: String! @override(from: "legacy", label: "percent(100)")
           region: String @override(from: "legacy", label: "billing-region")
           invoices: [String!]!
         }`,
      resolvers: {
        Query: { account: (_: unknown, { id }: { id: string }) => accounts.find((account) => account.id === id) && { id } },
        Account: {
          __resolveReference: (ref: { id: string }) => ref,
          balance: answeredBy('billing'),
          plan: answeredBy('billing'),
          tier: answeredBy('billing'),
          region: answeredBy('billing'),
          invoices: (account: { id: string }) => [`${account.id}-1`, `${account.id}-2`],
        },
      },
    },
  },
  cases: [
    { name: 'an overridden field comes from the subgraph it moved to', query: '{ accounts { owner balance } }' },
    { name: 'a progressive override at percent(0) stays with the old subgraph', query: '{ accounts { plan } }' },
    {
      name: 'a progressive override at percent(100): the old subgraph still, as the router activates no label yet (stock does not decide labels either)',
      query: '{ accounts { tier } }',
    },
    { name: 'a custom label not active: the old subgraph', query: '{ accounts { region } }' },
    {
      name: 'from the new subgraph’s root: the overridden field local, the others fetched back',
      query: '{ account(id: "a2") { balance plan tier region owner invoices } }',
    },
    { name: 'every field at once, aliased', query: '{ accounts { b: balance p: plan t: tier r: region i: invoices } }' },
  ],
  generated: { count: 50, seed: 44, argumentValues: { 'Query.account.id': ['"a1"', '"a2"', '"zz"'] } },
});
