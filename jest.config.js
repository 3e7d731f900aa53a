/** Every TypeScript test in the repo; each workspace keeps its tests in test/. */
module.exports = {
  // Node's environment plus a hard time limit per test file, and no process a file started outlives it.
  testEnvironment: '<rootDir>/packages/testing/src/jest-environment.ts',
  testEnvironmentOptions: { fileTimeLimitMs: 5 * 60_000 },
  testMatch: ['<rootDir>/{packages,router,subgraphs,scripts,e2e,deploy,apps}/**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/.venv/'],
  // dist/ holds the compiled production tree (npm run build), with the same package names as the sources.
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  // jose ships only ES modules and PGlite's CommonJS build uses import(), neither of which Jest on
  // Node 20 can load: let swc compile them to plain CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!(jose|@electric-sql/pglite)/)'],
  // The generated Prisma client imports its siblings as `./x.js` while the files are `./x.ts`.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.(ts|js|cjs)$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          // keep class names: type-graphql and error messages use them
          keepClassNames: true,
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  // Tests start real servers and databases; one file at a time per worker keeps ports and load sane.
  maxWorkers: 2,
  testTimeout: 30_000,
  // Once the tests are done, a socket or timer a test left open must not keep the run alive.
  forceExit: true,
};
