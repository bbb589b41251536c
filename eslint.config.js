// Lint: typescript-eslint's recommended rules plus the import boundaries of STYLE.md —
// src/core does no I/O; src/app and src/daemon reach the outside only through their ports;
// commands never reach into adapters; nothing imports a command.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = ['node:fs', 'node:fs/promises', 'node:net', 'node:http', 'node:https', 'node:child_process', 'node:os', 'better-sqlite3', 'drizzle-orm', 'drizzle-orm/*', 'undici', 'googleapis', '@googleapis/*', 'google-auth-library', 'ink', 'react', 'open', '@napi-rs/keyring', 'env-paths'];

// What use cases and daemon services may not import: drivers, the network, the file system, the
// process table. node:events, node:timers/promises, node:crypto and node:path do no I/O and stay allowed.
const useCaseIoModules = [
  ...ioModules.filter((name) => !name.includes('*')),
  ...['fs', 'fs/promises', 'net', 'http', 'https', 'child_process', 'os', 'node:http2', 'node:dgram', 'node:dns', 'node:tls', 'node:readline', 'node:worker_threads', 'node:cluster'],
];

/** src/app and src/daemon: ports, src/core and each other only (the daemon may use src/app; src/app not the daemon). */
function useCaseBoundary(files, layers) {
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', {
        paths: useCaseIoModules.map((name) => ({ name, message: 'Use cases reach the outside through a port (src/app/ports); the composition root (src/cli/wiring*.ts) passes the implementation.' })),
        patterns: [
          { group: layers.map((layer) => `**/${layer}/**`), message: 'src/app and src/daemon import only src/app (ports included), src/daemon and src/core; adapters are chosen in the composition root.' },
          { group: ioModules.filter((name) => name.includes('*')), message: 'Use cases reach the outside through a port.' },
        ],
      }],
      'no-restricted-syntax': ['error',
        { selector: "CallExpression[callee.property.name='transaction']", message: 'A port method is the transaction: use cases never open one.' },
        { selector: "CallExpression[callee.property.name=/^(prepare|pragma|exec)$/][arguments.0.type=/Literal$/]", message: 'No SQL above the adapters: ask a port.' },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'migrations/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', setImmediate: 'readonly', queueMicrotask: 'readonly', fetch: 'readonly' } },
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
  useCaseBoundary(['src/app/**/*.ts'], ['adapters', 'cli', 'ui', 'fixtures', 'commands', 'daemon']),
  useCaseBoundary(['src/daemon/**/*.ts'], ['adapters', 'cli', 'ui', 'fixtures', 'commands']),
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
