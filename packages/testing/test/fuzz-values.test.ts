import { buildSchema, type GraphQLInputType } from 'graphql';
import { HostileValues } from '../src/fuzz/values';
import { Random } from '../src/fuzz/random';

const schema = buildSchema(`
  input Nested { items: [[String!]] inner: Nested }
  type Query { take(value: [Nested!]!): Boolean }
`);
const argumentType = schema.getQueryType()!.getFields().take!.args[0]!.type as GraphQLInputType;

describe('hostile values stay within the characters one request may print', () => {
  it('never fails to generate, even when a long list’s item uses up what was left', () => {
    // A tiny budget makes the repeated item of a long list outgrow it: the list is then empty, not an error.
    for (let seed = 0; seed < 2_000; seed++) {
      const values = new HostileValues(new Random(seed), { maxRequestChars: 40, maxListLength: 500 });
      expect(() => values.forType(argumentType)).not.toThrow();
    }
  });
});
