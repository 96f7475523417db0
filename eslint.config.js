// @ts-check
/**
 * Lint: typescript-eslint's recommended rules plus a few type-aware ones that catch real bugs in a
 * Fastify server (floating promises, promises where callbacks belong), and the layer rule of
 * shared/STYLE.md, enforced instead of remembered:
 *
 *   http → services → (domain, crypto, cache, store/port);  store/kysely → (store/port, domain/types)
 *
 * The layer rule is import-x/no-restricted-paths on resolved files (so `../x.js` is matched to
 * `x.ts`), which sees `import type` exactly like a value import; `import('…').T` type annotations,
 * which it cannot see, are forbidden by consistent-type-imports. Package bans (kysely, fastify, vm)
 * are @typescript-eslint/no-restricted-imports, which also covers type-only imports.
 * Formatting is Prettier's job (.prettierrc.json); no stylistic rules here.
 */
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import reactHooks from 'eslint-plugin-react-hooks';

const layer = (msg) => `Layer rule (shared/STYLE.md): ${msg}`;

/** Dependency rule of shared/STYLE.md, as zones: files under `target` may not import from `from`. */
const zones = [
  {
    target: './src/domain',
    from: './src',
    except: ['./domain'],
    message: layer('domain/ holds pure rules and imports nothing else from the app.'),
  },
  {
    target: './src/services',
    from: ['./src/http', './src/cli', './src/store', './src/main.ts', './src/admin.ts'],
    except: ['./port.ts', './sealed-port.ts'],
    message: layer('services/ depend on domain, crypto, cache and store/port.ts only, never on a face, the CLI or a store implementation.'),
  },
  {
    target: './src/http',
    from: ['./src/store', './src/cache', './src/crypto', './src/cli', './src/main.ts', './src/admin.ts'],
    message: layer(
      'http/ reaches data, caches and keys through services/ only; it imports no store module (not even port types), no cache or crypto module, and no CLI.',
    ),
  },
  {
    // every CLI file but serve.ts and admin.ts: the CLI is an HTTP client of the faces
    target: './src/cli/**/!(serve|admin).ts',
    from: ['./src/http', './src/store', './src/services', './src/cache', './src/main.ts', './src/admin.ts'],
    message: layer(
      'the CLI is an HTTP client of the faces; only commands/serve.ts starts a server (through main.ts) and commands/admin.ts runs the offline admin commands (through admin.ts).',
    ),
  },
  {
    // `latch master-key rotate`, `latch backup`, `latch restore` must run without a server (a
    // rotation or a restore happens before one can start), so they open the store — but only
    // through the wiring in src/admin.ts, exactly as serve.ts goes through main.ts.
    target: './src/cli/commands/admin.ts',
    from: ['./src/store', './src/services', './src/cache', './src/http', './src/main.ts'],
    message: layer('the offline admin commands reach the store through src/admin.ts only.'),
  },
  {
    // serve.ts starts the server through main.ts and reads the TLS files the server will use (crypto/tls.ts)
    target: './src/cli/commands/serve.ts',
    from: ['./src/store', './src/services', './src/cache'],
    message: layer('`latch serve` starts the server through main.ts; it does not open the store or call services itself.'),
  },
  {
    target: './src/cli/commands/serve.ts',
    from: './src/http',
    message: layer('`latch serve` starts the server through main.ts; it needs nothing from http/.'),
  },
  {
    target: ['./src/store/kysely', './src/store/dialects'],
    from: ['./src/cache', './src/services', './src/http', './src/cli', './src/main.ts', './src/admin.ts'],
    message: layer('the store implementation depends on store/port.ts and domain types, never on the core or a face.'),
  },
  {
    target: ['./src/cache', './src/crypto', './src/errors'],
    from: ['./src/http', './src/services', './src/cli', './src/main.ts', './src/admin.ts'],
    message: layer('cache/, crypto/ and errors/ sit below services/ and never reach up into the core, a face or the CLI.'),
  },
  {
    target: ['./src/store/port.ts', './src/store/sealed-port.ts'],
    from: ['./src/store/kysely', './src/store/dialects', './src/store/migrations', './src/services', './src/http', './src/cache'],
    message: layer('the port is what services see: it may name domain types, never an implementation.'),
  },
];

const KYSELY = {
  name: 'kysely',
  message: 'Only store/kysely, store/dialects, store/migrations and store/open.ts use Kysely (shared/STYLE.md).',
};
const DRIVERS = ['pg', 'better-sqlite3'].map((name) => ({ name, message: 'Database drivers belong to store/dialects.' }));
const VM = ['vm', 'node:vm'].map((name) => ({ name, message: 'Evaluating code is forbidden (same as eval / new Function).' }));
const FASTIFY = ['fastify', '@fastify/*', '@sinclair/typebox'].map((name) => ({ name, message: 'HTTP and wire schemas belong to http/.' }));
/** no-restricted-imports is one rule per file, so each block repeats the global bans (VM). */
const restrictImports = (paths, patterns = []) => ['error', { paths: [...VM, ...paths], patterns }];

export default defineConfig(
  { ignores: ['dist/', 'data/', 'coverage/', 'node_modules/', 'docs/', 'web/dist/', 'vendor/'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: { parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'], extensionAlias: { '.js': ['.ts', '.js'] } })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones, basePath: import.meta.dirname }],
      '@typescript-eslint/no-restricted-imports': restrictImports([]),

      // no code evaluation, whatever it is called
      'no-eval': 'error',
      'no-new-func': 'error',
      '@typescript-eslint/no-implied-eval': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.name='Function'], NewExpression[callee.name='Function']",
          message: 'Function(...) evaluates a string: forbidden.',
        },
        {
          selector: "MemberExpression[object.name='globalThis'][property.name=/^(eval|Function)$/]",
          message: 'Evaluating code is forbidden.',
        },
      ],

      // type-aware checks that find bugs, not style
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',

      // `import type` spelled out, and no inline import('…') types the layer rule could not see
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // `any` at a wire or library edge is sometimes the honest type; warn so it stays visible and rare
      '@typescript-eslint/no-explicit-any': 'warn',
      // `interface FastifyContextConfig extends RouteAccess {}` is how module augmentation is written
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
    },
  },
  // Package bans per layer (one no-restricted-imports config per file, so these are disjoint).
  {
    files: ['src/domain/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': restrictImports([KYSELY, ...DRIVERS, ...FASTIFY]) },
  },
  {
    files: ['src/services/**/*.ts', 'src/crypto/**/*.ts', 'src/store/port.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': restrictImports([KYSELY, ...DRIVERS]) },
  },
  {
    files: ['src/http/**/*.ts', 'src/cli/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': restrictImports([KYSELY, ...DRIVERS]) },
  },
  // migrations are frozen and typed Kysely<any>, as the Kysely docs ask (shared/STYLE.md)
  { files: ['src/store/migrations/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // the CLI strips terminal escapes and writes TSV separators: control characters in its regexes are deliberate
  { files: ['src/cli/**/*.ts'], rules: { 'no-control-regex': 'off' } },
  {
    // tests: `any` on parsed JSON bodies is normal; non-null assertions on looked-up fixtures too
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // the web console (console/, a browser app built by Vite): its own tsconfig, the hooks rules,
    // and no string literal shown to a person: every visible string comes from console/src/i18n
    files: ['console/src/**/*.{ts,tsx}'],
    extends: [tseslint.configs.recommended, reactHooks.configs.flat['recommended-latest']],
    languageOptions: { parserOptions: { project: './console/tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: true }],
      'react-hooks/exhaustive-deps': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.name='Function'], NewExpression[callee.name='Function']",
          message: 'Function(...) evaluates a string: forbidden.',
        },
        {
          selector: 'JSXText[value=/\\S/]',
          message: 'Text in a component comes from the message catalogue (console/src/i18n), not a literal.',
        },
        {
          selector: 'JSXExpressionContainer > Literal[value=/[A-Za-z\\u3000-\\u9fff]/]',
          message: 'Text in a component comes from the message catalogue (console/src/i18n), not a literal.',
        },
        {
          selector: 'JSXAttribute[name.name=/^(aria-label|aria-description|title|placeholder|alt)$/] > Literal',
          message: 'Accessible names and hints come from the message catalogue (console/src/i18n), not a literal.',
        },
      ],
    },
  },
  {
    // a disable comment cannot switch off the eval ban or the layer rule
    ...comments.recommended,
    rules: {
      ...comments.recommended.rules,
      '@eslint-community/eslint-comments/no-restricted-disable': [
        'error',
        'no-eval',
        'no-new-func',
        '@typescript-eslint/no-implied-eval',
        'no-restricted-syntax',
        'import-x/no-restricted-paths',
        '@typescript-eslint/no-restricted-imports',
      ],
      '@eslint-community/eslint-comments/disable-enable-pair': ['error', { allowWholeFile: true }],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
