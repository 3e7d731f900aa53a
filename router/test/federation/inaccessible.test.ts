import { describeDifferential, federation } from './harness';

/**
 * @inaccessible: fields, a key field, an argument, an enum value, an object type and a union member
 * the client cannot see, while the subgraphs still use them among themselves (an entity joined on
 * an inaccessible key; a union whose inaccessible member comes back in data).
 */

const people = [
  { id: 'p1', internalId: 'x-1', name: 'Ada', status: 'ACTIVE', legacyStatus: 'ACTIVE', secret: 's1' },
  { id: 'p2', internalId: 'x-2', name: 'Grace', status: 'RETIRED', legacyStatus: 'HIDDEN', secret: 's2' },
];
const feed = [
  { __typename: 'Person', ...people[0] },
  { __typename: 'Note', text: 'hello' },
];
const archive = [...feed, { __typename: 'Audit', action: 'login' }];

describeDifferential('@inaccessible', {
  subgraphs: {
    directory: {
      typeDefs:
        federation(['@key', '@inaccessible']) +
        `type Query { people: [Person!]! person(id: ID!, debug: Boolean @inaccessible): Person feed: [FeedItem!]! archive: [FeedItem!]! looseArchive: [FeedItem] }
         enum Status { ACTIVE RETIRED HIDDEN @inaccessible }
         type Person @key(fields: "internalId") { id: ID! internalId: ID! @inaccessible name: String! status: Status legacyStatus: Status secret: String @inaccessible }
         type Note { text: String! }
         type Audit @inaccessible { action: String! }
         union FeedItem = Person | Note | Audit`,
      resolvers: {
        Query: {
          people: () => people,
          person: (_: unknown, { id }: { id: string }) => people.find((person) => person.id === id),
          feed: () => feed,
          archive: () => archive,
          looseArchive: () => archive,
        },
        FeedItem: { __resolveType: (item: { __typename: string }) => item.__typename },
        Person: { __resolveReference: (ref: { internalId: string }) => people.find((person) => person.internalId === ref.internalId) },
      },
    },
    payroll: {
      typeDefs:
        federation(['@key', '@inaccessible']) +
        'type Person @key(fields: "internalId") { internalId: ID! @inaccessible salary: Int grade: String @inaccessible }',
      resolvers: {
        Person: {
          __resolveReference: (ref: { internalId: string }) => ref,
          salary: (person: { internalId: string }) => Number(person.internalId.slice(2)) * 1000,
          grade: () => 'B',
        },
      },
    },
  },
  cases: [
    { name: 'an entity joined on an inaccessible key field', query: '{ people { name salary } }' },
    { name: 'enum values the client can see', query: '{ people { id status } }' },
    {
      name: 'an enum value the client cannot see comes back from a subgraph',
      query: '{ people { id legacyStatus } }',
      stockWrong: {
        why: 'stock nulls the value silently; a value the enum cannot represent is a field error (GraphQL spec §6.4.4, and CompleteValue coerces leaves, §6.4.3)',
        expected: {
          data: {
            people: [
              { id: 'p1', legacyStatus: 'ACTIVE' },
              { id: 'p2', legacyStatus: null },
            ],
          },
          errors: ['people.1.legacyStatus: Enum "Status" cannot represent value: "HIDDEN"'],
        },
      },
    },
    { name: 'a union’s visible members', query: '{ feed { __typename ... on Note { text } ... on Person { name salary } } }' },
    {
      name: 'a union whose inaccessible member comes back in data, in a non-null list',
      query: '{ archive { __typename ... on Note { text } ... on Person { name salary } } }',
      stockWrong: {
        why: 'stock answers data null with no error at all; a null data needs the error that caused it (GraphQL spec §7.1.1, §6.4.4)',
        expected: { data: null, errors: ['archive.2: Runtime Object type "Audit" is not a possible type for "FeedItem".'] },
      },
    },
    {
      name: 'a union whose inaccessible member comes back in data, in a nullable list',
      query: '{ looseArchive { ... on Note { text } } }',
      stockWrong: {
        why: 'stock nulls the item with no error (GraphQL spec §6.4.4: a field error for the value that cannot be completed)',
        expected: {
          data: { looseArchive: [{}, { text: 'hello' }, null] },
          errors: ['looseArchive.2: Runtime Object type "Audit" is not a possible type for "FeedItem".'],
        },
      },
    },
    { name: 'an entity by argument, the inaccessible argument left out', query: '{ person(id: "p1") { name salary } }' },
  ],
  generated: {
    count: 50,
    seed: 55,
    argumentValues: { 'Query.person.id': ['"p1"', '"p2"', '"p3"'] },
    // Stock silently nulls what the client cannot see (the cases above): generated cases leave those fields alone.
    excludeFields: ['Person.legacyStatus', 'Query.archive', 'Query.looseArchive'],
  },
  generatedKnown: {
    28: {
      stockWrong: {
        why: 'stock puts a Note’s __typename after a1, which a later fragment selects; keys come in the order of their first occurrence (GraphQL spec §6.3.2 CollectFields): text, __typename, a1',
        expected: {
          data: {
            feed: [
              { status: 'ACTIVE', a0: 1000, __typename: 'Person' },
              { text: 'hello', __typename: 'Note', a1: 'hello' },
            ],
          },
        },
      },
    },
  },
});
