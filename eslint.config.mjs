// ESLint for cdk-cqrs: typescript-eslint's `recommended` (syntactic only, so no type information and a fast
// run), import cycles everywhere, and the layer rule of the runtime (lambda/) and its separation from lib/.
// The layer map is `layers` below; test/lint/lint-rules.test.ts proves the rules report.
import path from 'node:path';
import { defineConfig, globalIgnores } from 'eslint/config';
import boundaries from 'eslint-plugin-boundaries';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const tsconfig = path.join(import.meta.dirname, 'tsconfig.json');

/**
 * The runtime's layers (folders of lambda/) and the layers each may import. Imports flow one way;
 * type-only imports, re-exports and dynamic imports count too. Every layer may also import
 * lib/private/runtime-contract.ts, the only file of lib/ the runtime may use.
 */
const layers = {
  shared: [],
  store: ['shared'],
  write: ['shared', 'store'],
  projection: ['shared', 'store', 'write'],
  sessions: ['shared', 'store', 'write', 'projection'],
  query: ['shared', 'store', 'write', 'projection', 'sessions'],
  http: ['shared', 'store', 'write', 'projection', 'sessions', 'query'],
  sql: ['shared', 'store', 'write', 'projection', 'query', 'http'],
  handlers: ['shared', 'store', 'write', 'projection', 'sessions', 'query', 'http', 'sql'],
  local: ['shared', 'store', 'write', 'projection', 'sessions', 'query', 'http', 'sql'],
  testing: ['shared', 'store', 'write', 'projection', 'sessions', 'query', 'http', 'local', 'sql'],
};

/** lambda/index.ts is the public `cdk-cqrs/runtime` surface: it re-exports, and nothing in lambda/ imports it. */
const runtimeIndexMayImport = ['shared', 'store', 'write', 'projection', 'sessions', 'query', 'sql'];

/**
 * `import-x/no-cycle` skips type-only imports (`import type`, `export type ... from`) and has no option to
 * count them. This wrapper of the typescript-eslint parser presents them as value imports, to that rule and to
 * import-x's parsing of the files it follows, so a type-only edge closes a cycle too. No rule enabled here
 * reads `importKind`/`exportKind` otherwise (the scope analysis is done before, inside the parser).
 */
const parserCountingTypeImports = {
  meta: { name: 'cdk-cqrs/parser-counting-type-imports', version: '1.0.0' },
  parseForESLint(code, options) {
    const result = tseslint.parser.parseForESLint(code, options);
    for (const node of result.ast.body) {
      if (node.type === 'ImportDeclaration' || node.type === 'TSImportEqualsDeclaration') {
        node.importKind = 'value';
        for (const specifier of node.specifiers ?? []) {
          if ('importKind' in specifier) specifier.importKind = 'value';
        }
      } else if ((node.type === 'ExportNamedDeclaration' || node.type === 'ExportAllDeclaration') && node.source) {
        node.exportKind = 'value';
        for (const specifier of node.specifiers ?? []) {
          if ('exportKind' in specifier) specifier.exportKind = 'value';
        }
      }
    }
    return result;
  },
};

/** The layer rule's message, e.g. "lambda/store may not import lambda/write (lambda/write/fold.ts): ...". */
const LAYER_MESSAGE =
  '{{#if from.element.type}}{{from.element.path}}{{else}}{{from.file.path}}{{/if}} may not import ' +
  '{{#if to.element.type}}{{to.element.path}} ({{to.file.path}}){{else}}{{to.file.path}}{{/if}}: ' +
  'the layer rule (what each layer may import is in eslint.config.mjs)';

export default defineConfig([
  globalIgnores([
    // Compiled output beside the sources (`npm run build`), and declaration files.
    'lib/**/*.js',
    'lambda/**/*.js',
    'bin/**/*.js',
    '**/*.d.ts',
    '**/node_modules/',
    '**/cdk.out/',
    'dist/',
    '.cache/',
    'coverage/',
    // StrykerJS (`npm run mutate`): the copies of the project it tests in, and its reports.
    '.stryker-tmp/',
    'reports/',
    'API.md',
    // An installed copy of the packed package, not our sources.
    'test/package/fixture/**',
    // A fixture with a deliberate syntax error (bundling it must fail).
    'test/lib/fixtures/domain/broken.js',
    // Written and removed by test/lint/lint-rules.test.ts (which lints them with `ignore: false`).
    'test/lint/.lint-probe-*/',
  ]),

  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: { parser: parserCountingTypeImports },
    rules: {
      // The `_` prefix marks a deliberately unused name, as tsc's noUnusedParameters already accepts.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // `declare namespace` is how the copied Standard Schema types (lambda/shared/standard-schema.ts) are written.
      '@typescript-eslint/no-namespace': ['error', { allowDeclarations: true }],
    },
  },
  {
    // Bundling loads esbuild lazily, a native esbuild found at run time, and built-ins for the bundled code: require() is the point.
    files: ['lib/private/bundling/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Type tests declare values only to take their types (`typeof customer`).
    files: ['test/types/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
  {
    // Domain modules as a user writes them, type-checked off with a reason (`// @ts-nocheck -- ...`).
    files: ['test/lib/fixtures/**/*.ts'],
    rules: { '@typescript-eslint/ban-ts-comment': ['error', { 'ts-nocheck': 'allow-with-description' }] },
  },
  {
    // The Node scripts and jest.config.js are CommonJS.
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
  },

  {
    // Import resolution shared by import-x and boundaries: relative `.ts` imports (before the compiled `.js`
    // beside them) and the `cdk-cqrs/*` paths of tsconfig.json. It reads tsconfig.json, not type information.
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ tsconfig: { configFile: tsconfig } })],
      // Without `.ts` here import-x does not follow TypeScript files when it looks for cycles.
      'import-x/extensions': ['.ts', '.js', '.mjs', '.cjs'],
      // eslint-plugin-boundaries resolves through eslint-module-utils, which reads only this legacy setting.
      'import/resolver': { typescript: { tsconfig: { configFile: tsconfig } } },
    },
  },

  {
    files: ['lib/**', 'lambda/**', 'test/**', 'bin/**', 'scripts/**'],
    plugins: { 'import-x': importX },
    rules: {
      // No depth limit; dynamic imports and require() close cycles too.
      'import-x/no-cycle': ['error', { maxDepth: '∞', commonjs: true, ignoreExternal: true }],
    },
  },

  {
    files: ['lib/**/*.ts', 'lambda/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/root-path': import.meta.dirname,
      // Elements are folders (the whole path from the root, not a suffix of it).
      'boundaries/elements': [
        { type: 'lib', pattern: 'lib', partialMatch: false },
        ...Object.keys(layers).map((layer) => ({ type: layer, pattern: `lambda/${layer}`, partialMatch: false })),
      ],
      // Two single files have rules of their own (element descriptors name folders only).
      'boundaries/files': [
        { category: 'runtime-contract', pattern: 'lib/private/runtime-contract.ts' },
        { category: 'runtime-index', pattern: 'lambda/index.ts' },
      ],
      // Count re-exports, dynamic imports, require() and `import('...')` types, not only import statements.
      'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import', 'require'],
      'boundaries/additional-dependency-nodes': [{ selector: 'TSImportType > Literal', kind: 'type', name: 'import-type' }],
      'boundaries/legacy-templates': false,
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          // Also check imports of local files outside lib/ and lambda/ (test/, bin/, scripts/): not allowed.
          checkUnknownLocals: true,
          message: LAYER_MESSAGE,
          // The last policy that matches an import decides.
          policies: [
            ...Object.entries(layers).map(([layer, mayImport]) => ({
              from: { element: { type: layer } },
              allow: { to: [{ element: { types: { anyOf: mayImport } } }, { file: { categories: 'runtime-contract' } }] },
            })),
            { from: { file: { categories: 'runtime-index' } }, allow: { to: { element: { types: { anyOf: runtimeIndexMayImport } } } } },
            // lib/ imports only lib/, never lambda/.
            { from: { element: { type: 'lib' } }, allow: { to: { element: { type: 'lib' } } } },
          ],
        },
      ],
    },
  },
  {
    // The runtime includes this file, so it must not pull in anything (aws-cdk-lib, or the rest of lib/).
    files: ['lib/private/runtime-contract.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '.', message: 'runtime-contract.ts has no imports: the runtime (lambda/) includes it.' }] },
      ],
    },
  },
  {
    // A new folder in lambda/ must be placed in the layer map before it can be imported or import anything.
    files: ['lambda/**/*.ts'],
    plugins: { boundaries },
    rules: { 'boundaries/no-unknown-files': 'error' },
  },
]);
