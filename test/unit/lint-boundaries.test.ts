/** The import boundary of src/app and src/daemon, through ESLint's own API on the repository's config. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: root });

async function boundaryErrors(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.filter((message) => message.ruleId === 'no-restricted-imports' || message.ruleId === 'no-restricted-syntax').map((message) => message.message);
}

const violating = `
import Database from 'better-sqlite3';
import { openDatabase } from '../adapters/sqlite/database.js';
export const rows = (file: string) => openDatabase(file).sqlite.prepare('select 1').all() as unknown[];
export const db = (file: string) => new Database(file);
`;

const clean = `
import { setMaxListeners } from 'node:events';
import { summarize } from '../core/message-state.js';
import type { Storage } from './ports/storage.js';
export const count = async (storage: Pick<Storage, 'mailboxes'>) => (await storage.mailboxes.list()).length;
export { setMaxListeners, summarize };
`;

describe('lint: src/app and src/daemon reach the outside only through ports', () => {
  it('an adapter, a driver and raw SQL in a use case are errors', async () => {
    const errors = await boundaryErrors(violating, 'src/app/x.ts');
    expect(errors).toEqual([
      expect.stringMatching(/through a port/),
      expect.stringMatching(/import only src\/app/),
      expect.stringMatching(/No SQL above the adapters/),
    ]);
  });

  it('the same in a daemon service, and a use case importing the daemon, the CLI or the fixtures', async () => {
    expect(await boundaryErrors(violating, 'src/daemon/x.ts')).toHaveLength(3);
    const reachingOut = `import '../daemon/supervisor.js';\nimport '../cli/context.js';\nimport '../fixtures/server.js';\nimport fs from 'node:fs';\nexport { fs };\n`;
    expect(await boundaryErrors(reachingOut, 'src/app/x.ts')).toHaveLength(4);
  });

  it('a use case opening a transaction is an error', async () => {
    const errors = await boundaryErrors(`export const run = (db: { transaction(fn: () => void): () => void }) => db.transaction(() => undefined)();\n`, 'src/app/x.ts');
    expect(errors).toEqual([expect.stringMatching(/never open one/)]);
  });

  it('ports, src/core and non-I/O built-ins pass', async () => {
    expect(await boundaryErrors(clean, 'src/app/x.ts')).toEqual([]);
    expect(await boundaryErrors(clean.replace('./ports/', '../app/ports/'), 'src/daemon/x.ts')).toEqual([]);
  });

  it('adapters and composition roots may import drivers', async () => {
    expect(await boundaryErrors(violating.replaceAll('../adapters/sqlite/', './'), 'src/adapters/sqlite/x.ts')).toEqual([]);
    expect(await boundaryErrors(violating, 'src/cli/wiring-x.ts')).toEqual([]);
  });

  it('no file of src/app or src/daemon is exempt', async () => {
    for (const file of ['src/app/listen.ts', 'src/app/replay.ts', 'src/daemon/delivery-service.ts']) expect(await boundaryErrors(violating, file)).toHaveLength(3);
  });
});
