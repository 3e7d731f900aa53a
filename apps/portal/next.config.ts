import { resolve } from 'node:path';
import type { NextConfig } from 'next';

/** The repository root: the portal imports the typed documents in clients/generated from there. */
const repositoryRoot = resolve(__dirname, '../..');

const config: NextConfig = {
  turbopack: { root: repositoryRoot },
  outputFileTracingRoot: repositoryRoot,
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
