import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { composeSubgraphs } from '../composition';

const root = resolve(__dirname, '../..');
const run = promisify(execFile);

describe('composition', () => {
  it('the committed subgraph schemas and supergraph.graphql are what the code composes to', async () => {
    // Fails when someone changed a schema and did not run `npm run compose`.
    await expect(run('npx', ['tsx', 'scripts/compose.ts', '--check'], { cwd: root })).resolves.toBeDefined();
  }, 60_000);

  it('names the subgraphs involved when composition fails', () => {
    const result = composeSubgraphs(
      [
        { name: 'alpha', routingUrl: 'http://a', schemaPath: 'a', sdl: 'type Query { thing: Thing } type Thing @key(fields: "id") { id: ID! size: Int }' },
        { name: 'beta', routingUrl: 'http://b', schemaPath: 'b', sdl: 'type Thing @key(fields: "id") { id: ID! size: String }' },
      ].map((subgraph) => ({
        ...subgraph,
        sdl: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\n${subgraph.sdl}`,
      })),
    );
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.join('\n')).toMatch(/FIELD_TYPE_MISMATCH.*alpha.*beta|alpha.*beta.*size/s);
  });
});
