/**
 * `npm run build`: compiles the services into dist/ (tsconfig.build.json, incremental) and
 * assembles the production tree around them (scripts/dist.ts). Fails when the compiled code
 * imports a package production does not install. Production then runs `node dist/<path>.js`.
 */
import { execFileSync } from 'node:child_process';
import { assembleDist, DIST, ROOT, undeclaredImports } from './dist';

execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
assembleDist();
const undeclared = undeclaredImports();
if (undeclared.length) {
  console.error('Compiled code imports packages that are not production dependencies in package.json:');
  for (const { file, specifier } of undeclared) console.error(`  ${file}: ${specifier}`);
  process.exit(1);
}
console.log(`build: ${DIST} is ready (node dist/<workspace>/src/main.js)`);
