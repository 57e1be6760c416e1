import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The core (src/core: discovery, YAML edits, planning, reports, the config schema, the ports) must stay pure:
 * no file system, network, process or clock, so each stage is data in, data out (docs/how-it-works.md).
 */
const coreGlobs = ['src/core/**/*.ts'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.bench/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', performance: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', AbortController: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: coreGlobs,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'http', 'https', 'child_process', 'os'], message: 'The core is pure: pass data in, return data out.' },
            { group: ['**/adapters/**', '**/cli*', '**/action*'], message: 'The core must not import adapters or edges.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'fetch'],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Pass a clock.' }],
      'no-console': 'error',
    },
  },
);
