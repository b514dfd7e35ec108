// Lint rules. The one that matters most: workflow code (and the contracts it imports) must
// stay deterministic, so Node modules and the non-workflow Temporal packages are kept out.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeModules = [...builtinModules.flatMap((m) => [m, `${m}/*`]), 'node:*'];
// The HTTP API is a front end: nothing else depends on it. Its own tests and the SSE
// benchmark drive it in-process, so they may import it.
const noApiImports = { group: ['**/api', '**/api/**'], message: 'Only the API imports from api/: shared code lives in bulks/, runtime/ or contracts/.' };

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.temporal/**', 'var/**', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['api/**', 'test/**', '**/*.test.ts', 'bench/logs.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [noApiImports] }] },
  },
  {
    files: ['workflows/**/*.ts', 'contracts/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeModules, message: 'Workflow code must be deterministic: no Node modules. Do this in an activity.' },
            {
              group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'],
              message: 'Workflows import only @temporalio/workflow (and @temporalio/common).',
            },
            { group: ['**/activities', '**/activities/**'], allowTypeImports: true, message: 'Workflows import only types from activities (import type).' },
            noApiImports,
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' }, { name: 'process', message: 'No process in workflows.' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'The workflow sandbox replaces it, but say what you mean: uuid4() or a seeded value.' }],
    },
  },
);
