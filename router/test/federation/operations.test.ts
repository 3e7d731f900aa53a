import { parse } from 'graphql';
import { createOperationPlanner } from '../../src/planning/operation-planner';
import { composeSupergraph, describeDifferential, federation, PLANNERS, type DifferentialFixture } from './harness';

/**
 * What the client's operation brings: mutations that must run in order (each sees the previous
 * one's write, across subgraphs), @include/@skip on variables that the planners turn into Condition
 * nodes (a whole fetch runs or not), fragments named and inline, aliases, and variables with
 * defaults, in arguments and in directives.
 */

interface Task {
  id: string;
  title: string;
  done: boolean;
}
const initialTasks = (): Task[] => [
  { id: 't1', title: 'Write', done: false },
  { id: 't2', title: 'Test', done: true },
];
let tasks = initialTasks();
let log: string[] = [];

const fixture: DifferentialFixture = {
  reset: () => {
    tasks = initialTasks();
    log = [];
  },
  subgraphs: {
    tasks: {
      typeDefs:
        federation(['@key']) +
        `type Query { tasks(done: Boolean): [Task!]! task(id: ID!): Task }
         type Mutation { addTask(title: String!): Task! complete(id: ID!): Task renameAll(prefix: String = "#"): [Task!]! }
         type Task @key(fields: "id") { id: ID! title: String! done: Boolean! }`,
      resolvers: {
        Query: {
          tasks: (_: unknown, { done }: { done?: boolean | null }) => tasks.filter((task) => done === undefined || done === null || task.done === done),
          task: (_: unknown, { id }: { id: string }) => tasks.find((task) => task.id === id),
        },
        Mutation: {
          addTask: (_: unknown, { title }: { title: string }) => {
            const task = { id: `t${tasks.length + 1}`, title, done: false };
            tasks.push(task);
            log.push(`add ${task.id}`);
            return task;
          },
          complete: (_: unknown, { id }: { id: string }) => {
            const task = tasks.find((candidate) => candidate.id === id);
            if (task) task.done = true;
            log.push(`complete ${id}`);
            return task;
          },
          renameAll: (_: unknown, { prefix }: { prefix: string }) => tasks.map((task) => Object.assign(task, { title: `${prefix}${task.title}` })),
        },
        Task: { __resolveReference: (ref: { id: string }) => tasks.find((task) => task.id === ref.id) },
      },
    },
    audit: {
      typeDefs:
        federation(['@key']) +
        `type Query { log: [String!]! }
         type Mutation { note(text: String!): [String!]! }
         type Task @key(fields: "id") { id: ID! history(last: Int = 2): [String!]! }`,
      resolvers: {
        Query: { log: () => log },
        Mutation: {
          note: (_: unknown, { text }: { text: string }) => {
            log.push(text);
            return log;
          },
        },
        Task: {
          __resolveReference: (ref: { id: string }) => ref,
          history: (task: { id: string }, { last }: { last: number }) => log.filter((entry) => entry.endsWith(task.id)).slice(-last),
        },
      },
    },
    owners: {
      typeDefs: federation(['@key']) + 'type Task @key(fields: "id") { id: ID! owner(format: String = "short"): String! }',
      resolvers: {
        Task: {
          __resolveReference: (ref: { id: string }) => ref,
          owner: (task: { id: string }, { format }: { format: string }) => (format === 'long' ? `Owner of task ${task.id}` : `o-${task.id}`),
        },
      },
    },
  },
  cases: [
    {
      name: 'mutations across subgraphs, in order: each sees the writes before it',
      query: `mutation {
        a: addTask(title: "Ship") { id title history }
        n: note(text: "between")
        c: complete(id: "t3") { id done history(last: 5) owner }
        all: renameAll { title }
        n2: note(text: "after")
      }`,
    },
    {
      name: 'a mutation with variables and a default argument, then reading its effect',
      query: 'mutation($title: String!, $prefix: String = "!") { addTask(title: $title) { id } renameAll(prefix: $prefix) { id title done } }',
      variables: { title: 'Review' },
    },
    ...[true, false].flatMap((withHistory) =>
      [true, false].map((skipOwner) => ({
        name: `Condition nodes: whole fetches under @include/@skip (withHistory ${withHistory}, skipOwner ${skipOwner})`,
        query: `query($withHistory: Boolean!, $skipOwner: Boolean = false) {
          tasks { id title history @include(if: $withHistory) owner @skip(if: $skipOwner) }
          log @include(if: $withHistory)
        }`,
        variables: { withHistory, skipOwner },
      })),
    ),
    {
      name: 'a condition on a fragment spread, and the same field unconditionally elsewhere',
      query:
        'query($x: Boolean!) { tasks { ...H @include(if: $x) owner } task(id: "t1") { ...H owner @skip(if: $x) } } fragment H on Task { history long: owner(format: "long") }',
      variables: { x: true },
    },
    {
      name: 'a variable default used when the variable is left out (Boolean directive default)',
      query: 'query($x: Boolean = true, $f: String = "long") { tasks { id owner(format: $f) history @include(if: $x) } }',
    },
    {
      name: 'a variable default overridden by the value sent',
      query: 'query($x: Boolean = true, $f: String = "long") { tasks { id owner(format: $f) history @include(if: $x) } }',
      variables: { x: false, f: 'short' },
    },
    {
      name: 'a nullable argument variable sent as null',
      query: 'query($d: Boolean) { tasks(done: $d) { id done } }',
      variables: { d: null },
    },
    {
      name: 'aliases of one field with different arguments, across subgraphs',
      query: '{ tasks { i: id short: owner long: owner(format: "long") h1: history(last: 1) h2: history } }',
    },
    {
      name: 'nested named fragments and inline fragments without a type condition',
      query: '{ tasks { ...A ... { owner } } } fragment A on Task { id ...B } fragment B on Task { title ... @include(if: true) { done } }',
    },
    {
      name: 'literal @skip(if: true) and @include(if: false)',
      query: '{ tasks { id title @skip(if: true) owner @include(if: false) history @include(if: true) } }',
    },
    {
      name: 'an operation chosen by name among several',
      query: 'query A { tasks { id } } query B { tasks { owner } }',
      operationName: 'B',
    },
  ],
  generated: { count: 50, seed: 88, argumentValues: { 'Query.task.id': ['"t1"', '"t2"', '"t9"'] } },
};

describeDifferential('mutations in order, Condition nodes, fragments, aliases, variables', fixture);

describe.each(PLANNERS)('the %s planner on this fixture', (name) => {
  it('plans @include/@skip on fields of other subgraphs as Condition nodes, so the cases above run them', () => {
    const conditions = fixture.cases.find((testCase) => testCase.name.startsWith('Condition nodes'))!.query;
    const plan = createOperationPlanner(name, composeSupergraph(fixture.subgraphs)).plan({ text: conditions, document: parse(conditions) });
    expect(JSON.stringify(plan)).toContain('"kind":"Condition","variable":"withHistory"');
  });
});
