/**
 * `npm run compose`: prints every subgraph's SDL from its code into the schema file that
 * supergraph.yaml names, composes them with @apollo/composition, and writes supergraph.graphql.
 * Errors and hints name the subgraph they come from; any error exits non-zero.
 *
 *   --check   write nothing; exit non-zero when a committed file differs from what the code gives
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { composeSubgraphs, printSubgraphSdl, readSupergraphConfig } from './composition';

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const root = resolve(__dirname, '..');
  const config = readSupergraphConfig(resolve(root, 'supergraph.yaml'));
  const stale: string[] = [];

  const subgraphs = [];
  for (const subgraph of config.subgraphs) {
    const sdl = await printSubgraphSdl(root, subgraph.name);
    if (readIfExists(subgraph.schemaPath) !== sdl) {
      if (check) stale.push(subgraph.schemaPath);
      else writeFileSync(subgraph.schemaPath, sdl);
    }
    subgraphs.push({ ...subgraph, sdl });
  }

  const result = composeSubgraphs(subgraphs);
  for (const hint of result.hints) console.warn(`hint ${hint}`);
  if (!result.ok) {
    for (const error of result.errors) console.error(`error ${error}`);
    console.error(`composition failed with ${result.errors.length} error(s)`);
    process.exit(1);
  }
  const supergraphPath = resolve(root, 'supergraph.graphql');
  if (readIfExists(supergraphPath) !== result.supergraphSdl) {
    if (check) stale.push(supergraphPath);
    else writeFileSync(supergraphPath, result.supergraphSdl);
  }
  if (stale.length > 0) {
    console.error(`out of date (run npm run compose): ${stale.join(', ')}`);
    process.exit(1);
  }
  console.log(`composed ${subgraphs.length} subgraph(s) into supergraph.graphql`);
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
