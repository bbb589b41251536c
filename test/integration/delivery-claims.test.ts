/**
 * Claims across processes: several processes claim one endpoint's deliveries from one SQLite
 * store at the same time (true concurrency, unlike connections inside one process); every
 * delivery is claimed by exactly one of them, and each records its own outcome.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/sqlite/database.js';
import { EventLog } from '../../src/adapters/sqlite/event-log.js';
import { sqliteStorage } from '../../src/adapters/sqlite/sqlite-storage.js';
import { newId } from '../../src/adapters/system/ids.js';
import { ROOT } from '../support/cli.js';

const PROCESSES = 4;
const THREADS = 150;

function claimer(file: string, endpointId: string, holder: string): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/support/claim-worker.ts'), file, endpointId, holder], { cwd: ROOT, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(stdout) as string[]) : reject(new Error(`${holder} exited ${code}: ${stderr}`))));
  });
}

describe('delivery claims across processes', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`${PROCESSES} processes claiming at once: every delivery is claimed exactly once`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-claims-'));
    dirs.push(dir);
    const file = path.join(dir, 'mailmon.db');
    const store = openDatabase(file);
    const storage = sqliteStorage(store);
    await storage.endpoints.insert({ id: 'whe_race', url: 'https://example.com/', description: null, signatureScheme: 'both', headers: {}, lastEnqueuedSequence: 0, createdAt: 1 }, [{ eventType: '*', mailboxId: null }]);
    const log = new EventLog(store.sqlite);
    store.sqlite.transaction(() =>
      log.append(Array.from({ length: THREADS }, (_, i) => ({ id: newId('evt'), type: 'message.created' as const, orderingKey: `mbx_race:thread:t${i}`, data: {} })), { id: 'mbx_race', emailAddress: 'race@example.com' }, 1),
    ).immediate();
    expect(await storage.deliveries.fanOut(1, () => newId('dlv'))).toBe(THREADS);

    const claims = await Promise.all(Array.from({ length: PROCESSES }, (_, i) => claimer(file, 'whe_race', `host:${i}:race`)));

    const all = claims.flat();
    expect(all).toHaveLength(THREADS);
    expect(new Set(all).size).toBe(THREADS);
    expect(await storage.deliveries.list({ endpointId: 'whe_race', status: 'succeeded', limit: 1000 })).toHaveLength(THREADS);
    store.close();
  });
});
