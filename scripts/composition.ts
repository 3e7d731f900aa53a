import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import { composeServices } from '@apollo/composition';
import { parse, Source, type GraphQLError } from 'graphql';
import { parse as parseYaml } from 'yaml';

export interface SubgraphEntry {
  name: string;
  routingUrl: string;
  schemaPath: string;
}

/** Reads the subset of Rover's supergraph.yaml we use: routing_url and schema.file per subgraph. */
export function readSupergraphConfig(path: string): { subgraphs: SubgraphEntry[] } {
  const raw = parseYaml(readFileSync(path, 'utf8')) as {
    subgraphs?: Record<string, { routing_url?: string; schema?: { file?: string } }>;
  };
  const subgraphs = Object.entries(raw.subgraphs ?? {}).map(([name, entry]) => {
    if (!entry.routing_url || !entry.schema?.file) {
      throw new Error(`supergraph.yaml: subgraph "${name}" needs routing_url and schema.file`);
    }
    return { name, routingUrl: entry.routing_url, schemaPath: resolve(dirname(path), entry.schema.file) };
  });
  return { subgraphs };
}

/** Each subgraph folder has an `sdl` npm script that prints its SDL without a server or database. */
export async function printSubgraphSdl(root: string, name: string): Promise<string> {
  const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'sdl'], {
    cwd: resolve(root, 'subgraphs', name),
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

export type CompositionResult = { ok: true; supergraphSdl: string; hints: string[] } | { ok: false; errors: string[]; hints: string[] };

export function composeSubgraphs(subgraphs: (SubgraphEntry & { sdl: string })[]): CompositionResult {
  const result = composeServices(
    subgraphs.map((subgraph) => ({
      name: subgraph.name,
      url: subgraph.routingUrl,
      // Naming the source makes every location in an error point at its subgraph.
      typeDefs: parse(new Source(subgraph.sdl, subgraph.name)),
    })),
  );
  const hints = (result.hints ?? []).map((hint) => `[${hint.definition.code}] ${hint.message}`);
  if (result.errors) return { ok: false, errors: result.errors.map(describe), hints };
  return { ok: true, supergraphSdl: result.supergraphSdl.trim() + '\n', hints };
}

function describe(error: GraphQLError): string {
  const where = [...new Set((error.nodes ?? []).map((node) => node.loc?.source.name).filter(Boolean))];
  const code = typeof error.extensions.code === 'string' ? `[${error.extensions.code}] ` : '';
  return `${code}${where.length ? `(${where.join(', ')}) ` : ''}${error.message}`;
}
