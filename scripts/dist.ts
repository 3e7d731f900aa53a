/**
 * The production tree in dist/, as `npm run build` (scripts/build.ts) assembles it.
 *
 * dist/ is the repository as production runs it: tsc (tsconfig.build.json) compiles each
 * workspace's src/ to JavaScript at the same relative path (packages/db/src/index.ts becomes
 * dist/packages/db/src/index.js), and the files services read at run time are copied to their same
 * relative paths too. One rule finds them all: code locates files relative to the repo root
 * (REPO_ROOT in @supergraph/config, which is dist/ when it runs compiled) or to its own module
 * (__dirname), so compiled code finds dist/'s copies and never the sources.
 *
 * Workspace packages resolve to their compiled code through dist/node_modules/@supergraph/<name>,
 * links to dist/<workspace> whose package.json names the compiled `main`. Node looks there before
 * the repo's node_modules (which link the TypeScript sources that tsx and jest use), so
 * development needs no flag and production no loader. dist/ also holds the root package.json and
 * lockfile, so `npm ci --omit=dev` inside it installs exactly the production dependencies (the
 * Dockerfile's runtime stage does that, replacing these links with npm's own).
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative } from 'node:path';

export const ROOT = join(__dirname, '..');
export const DIST = join(ROOT, 'dist');

/** Read at run time, relative to the repo root: the router's supergraph, migrations, Solidity sources. */
function runtimeFiles(root: string): string[] {
  return ['supergraph.graphql', 'contracts', ...readdirSync(join(root, 'prisma')).map((subgraph) => `prisma/${subgraph}/migrations`)];
}

interface PackageManifest {
  name: string;
  main?: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
}

function readManifest(dir: string): PackageManifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest;
}

/** Every workspace directory (relative to `root`), from the root package.json's `dir/*` globs. */
export function workspaceDirs(root = ROOT): string[] {
  return (readManifest(root).workspaces ?? []).flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    if (!existsSync(join(root, parent))) return [];
    return readdirSync(join(root, parent)).flatMap((name) => (existsSync(join(root, parent, name, 'package.json')) ? [`${parent}/${name}`] : []));
  });
}

/** After tsc: copies the run-time files and links the workspace packages, as the module comment says. */
export function assembleDist(root = ROOT, dist = DIST): void {
  for (const path of runtimeFiles(root)) if (existsSync(join(root, path))) cpSync(join(root, path), join(dist, path), { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) cpSync(join(root, file), join(dist, file));

  rmSync(join(dist, 'node_modules'), { recursive: true, force: true });
  for (const dir of workspaceDirs(root)) {
    const manifest = readManifest(join(root, dir));
    // Non-TypeScript files beside the code (HTML, plain-JavaScript process entries) are found by __dirname.
    const src = join(root, dir, 'src');
    if (existsSync(join(dist, dir, 'src'))) cpSync(src, join(dist, dir, 'src'), { recursive: true, filter: (path) => !path.endsWith('.ts') });
    // Every workspace gets its manifest (npm ci wants them all); only compiled ones get a link.
    mkdirSync(join(dist, dir), { recursive: true });
    const main = manifest.main?.replace(/\.ts$/, '.js');
    writeFileSync(join(dist, dir, 'package.json'), `${JSON.stringify({ name: manifest.name, version: '0.0.0', private: true, main }, null, 2)}\n`);
    if (!existsSync(join(dist, dir, 'src'))) continue;
    const link = join(dist, 'node_modules', manifest.name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(relative(dirname(link), join(dist, dir)), link, 'dir');
  }
}

export interface UndeclaredImport {
  file: string;
  specifier: string;
}

/**
 * Modules the compiled code loads (require, import) from packages that production does not install: anything but Node's
 * own modules, the root package.json's `dependencies`, and compiled workspace packages. A
 * devDependency (tsx, prisma, jest…) or a package only present as someone else's dependency shows
 * up here, before an image without them fails at run time.
 */
export function undeclaredImports(dist = DIST): UndeclaredImport[] {
  const allowed = new Set(Object.keys(readManifest(dist).dependencies ?? {}));
  for (const dir of workspaceDirs(dist)) if (existsSync(join(dist, dir, 'src'))) allowed.add(readManifest(join(dist, dir)).name);
  const found: UndeclaredImport[] = [];
  for (const file of javascriptFiles(dist)) {
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/\b(?:require|import)\(\s*["']([^"'.][^"']*)["']/g)) {
      const name = specifier!.startsWith('@') ? specifier!.split('/').slice(0, 2).join('/') : specifier!.split('/')[0]!;
      if (!isBuiltin(specifier!) && !allowed.has(name)) found.push({ file: relative(dist, file), specifier: specifier! });
    }
  }
  return found;
}

function javascriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules') return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? javascriptFiles(path) : entry.name.endsWith('.js') ? [path] : [];
  });
}
