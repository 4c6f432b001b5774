import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The one direction of dependency (STYLE: boundaries enforced, not hoped for):
// domain ← store ← http ← checkout, portal (side by side, neither importing the other), and the
// worker on the store. outgoing (calls to merchants' servers) is a leaf that knows only the domain.
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
  // Small functions (STYLE), as a ratchet: a function over 80 lines is a warning in every lint run.
  // Migrations are DDL, written once and never changed, so they are left out. Offenders today (to
  // split when next touched): captureRoutes in src/http/routes/captures.ts (117 lines, a route
  // table) and main in src/main.ts (104, start-up and shutdown).
  { files: ['src/**/*.ts'], ignores: ['**/*.test.ts', 'src/store/migrations.ts'], rules: { 'max-lines-per-function': ['warn', { max: 80 }] } },
  layer(
    ['src/domain/**/*.ts'],
    ['**/store/**', '**/http/**', '**/worker/**', '**/portal/**', '**/checkout/**', '**/outgoing/**', 'node:*', 'kysely', 'fastify', 'pg', 'better-sqlite3'],
    'src/domain is pure rules: no I/O, no store, no HTTP, no calls out (time is an argument).',
  ),
  layer(
    ['src/store/**/*.ts'],
    ['**/http/**', '**/worker/**', '**/portal/**', '**/checkout/**', '**/outgoing/**', 'fastify', '@fastify/*'],
    'src/store must not depend on the HTTP layer, the parts above it, or calls out: it keeps, it does not send.',
  ),
  layer(
    ['src/worker/**/*.ts'],
    ['**/http/**', '**/portal/**', '**/checkout/**', 'fastify', '@fastify/*'],
    'src/worker runs jobs from the store: no HTTP layer, no portal, no checkout.',
  ),
  layer(
    ['src/outgoing/**/*.ts'],
    ['**/store/**', '**/http/**', '**/worker/**', '**/portal/**', '**/checkout/**'],
    'src/outgoing only calls merchants: it knows no store, no HTTP layer and nothing above them.',
  ),
  layer(
    ['src/http/**/*.ts'],
    ['**/portal/**', '**/checkout/**', '**/worker/**'],
    'src/http is the API and its plumbing: the portal, the checkout and the worker build on it, not it on them.',
  ),
  layer(['src/portal/**/*.ts'], ['**/checkout/**', '**/worker/**'], 'src/portal and src/checkout are separate wings: share through src/html.ts, src/http or the store.'),
  layer(['src/checkout/**/*.ts'], ['**/portal/**', '**/worker/**'], 'src/checkout and src/portal are separate wings: share through src/html.ts, src/http or the store.'),
  layer(['src/tokens/**/*.ts'], ['**/portal/**', '**/checkout/**', '**/worker/**'], 'src/tokens (the Customer Token API) is a wing of its own: it builds on src/http and the store.'),
);
