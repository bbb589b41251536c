// Lint: typescript-eslint's recommended rules plus the import boundaries of STYLE.md —
// src/core does no I/O, commands never reach into adapters, nothing imports a command.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = ['node:fs', 'node:fs/promises', 'node:net', 'node:http', 'node:https', 'node:child_process', 'node:os', 'better-sqlite3', 'drizzle-orm', 'drizzle-orm/*', 'undici', 'googleapis', '@googleapis/*', 'google-auth-library', 'ink', 'react', 'open', '@napi-rs/keyring', 'env-paths'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'migrations/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', setImmediate: 'readonly', queueMicrotask: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/commands/**'], message: 'Nothing imports a command.' }] }],
      // oclif's integer flag has no upper bound by default and its errors read as internal ones.
      'no-restricted-properties': ['error', { object: 'Flags', property: 'integer', message: 'Use integerFlag from src/cli/flags.ts: bounded, and a bad value is a usage error naming the flag.' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ioModules.filter((name) => !name.includes('*')).map((name) => ({ name, message: 'src/core is pure: no I/O. Put this in src/adapters and pass it in.' })),
        patterns: [
          { group: ['**/adapters/**', '**/app/**', '**/cli/**', '**/daemon/**', '**/ui/**', '**/fixtures/**', '**/commands/**'], message: 'src/core imports only src/core.' },
          { group: ioModules.filter((name) => name.includes('*')), message: 'src/core is pure: no I/O.' },
        ],
      }],
    },
  },
  {
    files: ['commands/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/src/adapters/**'], message: 'Commands call src/app use cases (or src/cli helpers), never adapters directly.' }, { group: ['**/commands/**'], message: 'Nothing imports a command.' }] }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.{ts,mjs,js}', 'scripts/**/*.mjs', 'bin/**/*.js'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
