import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ERROR_CODES } from '../src/error-codes';

const ROOT = join(__dirname, '../../..');
const TABLE = join(ROOT, 'packages/server/src/error-codes.ts');
const PYTHON_ERRORS = join(ROOT, 'subgraphs/ai/supergraph_ai/errors.py');
const tableCodes = Object.keys(ERROR_CODES);

/**
 * The members of the Python subgraph's `class ErrorCode(StrEnum)` as name → value, read from its
 * `NAME = "VALUE"` lines (as text: the test needs no Python environment).
 */
function pythonErrorCodes(source: string): Map<string, string> {
  const lines = source.split('\n');
  const start = lines.findIndex((line) => /^class ErrorCode\(StrEnum\):/.test(line));
  if (start < 0) throw new Error(`no "class ErrorCode(StrEnum)" in ${PYTHON_ERRORS}`);
  const members = new Map<string, string>();
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break; // the class body ends at the next unindented line
    const member = /^\s+([A-Za-z_]\w*)\s*=\s*"([^"]*)"/.exec(line);
    if (member) members.set(member[1]!, member[2]!);
  }
  return members;
}

/** Source files of everything that raises errors: the router, the packages, every subgraph (TypeScript and Python). */
function sourceFiles(): string[] {
  const roots = [
    join(ROOT, 'router/src'),
    ...readdirSync(join(ROOT, 'packages')).map((name) => join(ROOT, 'packages', name, 'src')),
    ...readdirSync(join(ROOT, 'subgraphs')).map((name) => join(ROOT, 'subgraphs', name, 'src')),
    join(ROOT, 'subgraphs/ai/supergraph_ai'),
  ];
  const files: string[] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // e.g. subgraphs/ai has no src/
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== '__pycache__') walk(path);
      else if (entry.isFile() && /\.(ts|py)$/.test(entry.name) && path !== TABLE) files.push(path);
    }
  };
  roots.forEach(walk);
  return files;
}

describe('the error code table', () => {
  const python = pythonErrorCodes(readFileSync(PYTHON_ERRORS, 'utf8'));

  it('reads the Python ErrorCode enum, whose members are spelled as the codes they send', () => {
    expect(python.size).toBeGreaterThan(0);
    for (const [name, value] of python) expect(value).toBe(name);
  });

  it('holds every code the Python subgraph can emit, spelled identically', () => {
    const missing = [...python.values()].filter((code) => !(code in ERROR_CODES));
    expect(missing).toEqual([]);
  });

  it('holds no code that nothing raises: each appears as a string literal in the router, a package or a subgraph', () => {
    const sources = sourceFiles().map((path) => ({ path, text: readFileSync(path, 'utf8') }));
    expect(sources.length).toBeGreaterThan(100);
    const used = (code: string) => sources.some(({ text }) => text.includes(`'${code}'`) || text.includes(`"${code}"`));
    const unused = tableCodes.filter((code) => !used(code));
    expect(unused).toEqual([]);
    // the scan sees the Python side too
    expect(sources.some(({ path }) => relative(ROOT, path) === 'subgraphs/ai/supergraph_ai/errors.py')).toBe(true);
  });
});
