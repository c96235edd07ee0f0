import type { CodegenConfig } from '@graphql-codegen/cli';

// CODEGEN_OUT lets `npm run codegen:check` write to a scratch file and compare.
const out = process.env.CODEGEN_OUT ?? 'src/generated/graphql.ts';

const config: CodegenConfig = {
  schema: '../schema.graphql',
  documents: ['src/**/*.ts', '!src/generated/**', '!src/**/*.test.ts'],
  generates: {
    [out]: {
      // typescript-operations 6 emits the schema's enums and inputs the documents use, so the
      // separate `typescript` plugin would only duplicate them.
      plugins: ['typescript-operations'],
      config: {
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        scalars: { DateTime: 'string', JSON: 'unknown' },
        skipTypename: true,
        useTypeImports: true,
      },
    },
  },
  hooks: {},
};
export default config;
