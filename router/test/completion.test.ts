import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { completeResponse } from '../src/execution/completion';
import { compileResponseShape } from '../src/execution/response-shape';

const schema = buildSchema('type Query { project: Project, projects: [Project!]! } type Project { id: ID! name: String! }');
const shapeOf = (query: string) => compileResponseShape(schema, parse(query).definitions[0] as OperationDefinitionNode, []);

describe('completing merged subgraph data onto the client’s shape', () => {
  it('answers a null where the schema guarantees a value with a field error coded INCOMPLETE_DATA, and nulls the nearest nullable parent', () => {
    const completed = completeResponse(shapeOf('{ project { id name } }'), { project: { id: '1', name: null } }, {}, []);
    expect(completed.data).toEqual({ project: null });
    expect(completed.errors).toEqual([
      { message: 'Cannot return null for non-nullable field Project.name.', path: ['project', 'name'], extensions: { code: 'INCOMPLETE_DATA' } },
    ]);
  });

  it('reports a failure once: no second error below a path that already carries one', () => {
    const subgraphError = { message: 'Subgraph "projects" is unavailable', path: ['projects'], extensions: { code: 'SUBGRAPH_UNAVAILABLE' } };
    const completed = completeResponse(shapeOf('{ projects { id name } }'), {}, {}, [subgraphError]);
    expect(completed.data).toBeNull();
    expect(completed.errors).toEqual([]);
  });
});
