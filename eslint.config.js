import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.jml/', 'bench/results/', 'bin/*.js', 'scripts/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The console's browser script: served as is, no build step.
    files: ['src/console/assets/*.js'],
    languageOptions: { sourceType: 'script', globals: { document: 'readonly', Chart: 'readonly' } },
  },
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['*.js', 'src/console/assets/*.js'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The API and activities talk to workflows by name through src/temporal/messages.ts; a
    // value import of workflow code would pull it (and everything it imports) into their graph.
    files: ['src/**/*.ts', 'activities/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/workflows', '**/workflows/*'],
              allowTypeImports: true,
              message: 'Import workflow types only; signals, queries and updates are in src/temporal/messages.ts, and workflows are started by type name.',
            },
          ],
        },
      ],
    },
  },
  {
    // Workflow code is replayed: it must be deterministic and must not do I/O.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: 'Workflow code must not use Node built-ins; do it in an activity.' })),
            ...['pg', 'express', '@electric-sql/pglite', '@slack/bolt', 'pino'].map((name) => ({
              name,
              message: 'Workflow code must not do I/O; do it in an activity.',
            })),
            { name: '@temporalio/activity', message: 'Workflows call activities through proxyActivities.' },
          ],
          patterns: [
            { group: ['../activities/*', '../activities'], allowTypeImports: true, message: 'Import activity types only.' },
            { group: ['../src/connectors/*', '../src/evidence/store*', '../src/db/*'], message: 'Workflow code must not touch connectors or the database.' },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use times returned by activities; workflow time is replayed.' },
        { object: 'Math', property: 'random', message: 'Use uuid4() from @temporalio/workflow.' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() in a loop.' },
        { name: 'fetch', message: 'Workflow code must not do I/O.' },
        { name: 'process', message: 'Workflow code must not read the environment.' },
      ],
    },
  },
);
