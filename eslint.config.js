import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The one direction of dependency (STYLE: boundaries enforced, not hoped for):
// domain ← store ← http (and the worker, checkout page and portal above it).
const layer = (files, patterns, why) => ({
  files,
  ignores: ['**/*.test.ts'],
  rules: { 'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message: why })) }] },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'bench/results/**', 'clients/**/dist/**', 'clients/typescript/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'eqeqeq': ['error', 'always'],
      'no-console': 'off',
    },
  },
  layer(
    ['src/domain/**/*.ts'],
    ['**/store/**', '**/http/**', '**/worker/**', '**/portal/**', '**/checkout/**', 'node:*', 'kysely', 'fastify', 'pg', 'better-sqlite3'],
    'src/domain is pure rules: no I/O, no store, no HTTP (time is an argument).',
  ),
  layer(
    ['src/store/**/*.ts'],
    ['**/http/**', '**/worker/**', '**/portal/**', '**/checkout/**', 'fastify', '@fastify/*'],
    'src/store must not depend on the HTTP layer or the parts above it.',
  ),
);
