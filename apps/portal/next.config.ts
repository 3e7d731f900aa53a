import { resolve } from 'node:path';
import type { NextConfig } from 'next';

/** The repository root: the portal imports the typed documents in clients/generated from there. */
const repositoryRoot = resolve(__dirname, '../..');

const config: NextConfig = {
  turbopack: { root: repositoryRoot },
  outputFileTracingRoot: repositoryRoot,
  /**
   * PORTAL_STANDALONE_BUILD=true (the container image's build, Dockerfile): `next build` also writes
   * .next/standalone, a server with only the files it needs, which the image runs without the repository's
   * node_modules. Default off: `next start` (npm start, the browser tests) warns when it serves such a build.
   */
  output: process.env.PORTAL_STANDALONE_BUILD === 'true' ? 'standalone' : undefined,
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
