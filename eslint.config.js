// ESLint 9 flat config: typescript-eslint with type information (the project service reads tsconfig.json), an
// import-cycle check over the real module graph, and eslint-config-prettier last so that formatting is Prettier's
// alone (`npm run lint` runs `prettier --check .` after this).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // Written by hubwatch or by tests, not by hand.
    ignores: ['dist/', 'data/', 'coverage/', '.tmp/', '.tmp-*'],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      // import-x reads only the extensions listed here (its default is .js alone, which would see no TypeScript
      // module and so no cycle); the resolver maps `./x.js` in an import to `./x.ts`, as tsc's NodeNext does.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      // A cycle, lazy `await import()` included, means two modules cannot be understood or loaded apart. Type-only
      // imports are not counted: they vanish at run time.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // A leading underscore marks a value left out on purpose (a key dropped by rest destructuring, a tuple slot).
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
      // Fastify plugins and handlers, and methods that implement an async interface, are async by contract.
      '@typescript-eslint/require-await': 'off',
      // `let worker!: Worker` assigned once below, read by a closure made before: const cannot express that.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // An AbortSignal's reason is rejected as it came (any): callers compare it with the signal's own reason.
      '@typescript-eslint/prefer-promise-reject-errors': [
        'error',
        { allowThrowingAny: true, allowThrowingUnknown: true },
      ],
      // `any` reaches this code only from library returns (Array.isArray's any[], `new Map()` into an annotated
      // slot, JSON parsed then validated with zod at the edge, which is where payloads get their types).
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // String(v) of an unknown JSON value is deliberate: the result is validated next, or only shown in a message.
      '@typescript-eslint/no-base-to-string': 'off',
      // `Relation | string` documents the known values of an open string; `unknown | null` says null is expected.
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      // pg hands type OIDs as numbers; its `builtins` enum names them in the switch that picks a parser.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
    },
  },
  {
    // expect(obj.method) and spies pass methods around unbound on purpose.
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // The simulator edits the platforms' payload templates as the loose JSON they are.
    files: ['src/sim/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Plain JavaScript outside the TypeScript project (this file): no type information to lint with.
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    // The dashboard's progressive-enhancement script runs in the browser, served as is.
    files: ['src/dashboard/assets/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'script' },
  },
  prettier,
);
