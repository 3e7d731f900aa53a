import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the example operations in clients/operations, checked against the
 * supergraph's API schema (what portals see). The end-to-end tests send these same documents.
 */
const config: CodegenConfig = {
  schema: 'supergraph.graphql',
  documents: ['clients/operations/**/*.graphql'],
  generates: {
    'clients/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTimeISO: 'string' } },
    },
  },
  hooks: {},
};

export default config;
