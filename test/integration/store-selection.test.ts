/** CliContext chooses the store in one place: SQLite in the home by default, PostgreSQL when store.url / MAILMON_DATABASE_URL names one. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliContext } from '../../src/cli/context.js';
import { hasCode } from '../../src/core/errors.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

describe('store selection', () => {
  let database: TestDatabase;
  let home: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-select-'));
  });
  afterAll(async () => {
    await database.drop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('without a URL: the SQLite store in the home, its file leases, an in-process membership', async () => {
    const ctx = new CliContext({ MAILMON_HOME: home });
    expect(ctx.selected.kind).toBe('sqlite');
    expect(await (await ctx.storage()).mailboxes.list()).toEqual([]);
    expect(await (await ctx.leases()).list()).toEqual([]);
    expect(fs.existsSync(path.join(home, 'mailmon.db')) || fs.readdirSync(home).some((name) => name.endsWith('.db'))).toBe(true);
    ctx.close();
  });

  it('MAILMON_DATABASE_URL: the PostgreSQL store (migrated), and the raw SQLite store is refused, saying why', async () => {
    const ctx = new CliContext({ MAILMON_HOME: home, MAILMON_DATABASE_URL: database.url });
    expect(ctx.selected).toMatchObject({ kind: 'postgres', source: 'env' });
    const storage = await ctx.storage();
    await storage.daemons.heartbeat({ holderId: ctx.holderId, host: os.hostname(), pid: process.pid, startedAt: 1, heartbeatAt: Date.now() });
    expect((await storage.daemons.list()).map((member) => member.holderId)).toEqual([ctx.holderId]);
    const refused = await ctx.store().catch((error: unknown) => error);
    expect(hasCode(refused, 'store_sqlite_only')).toBe(true);
    expect((refused as Error).message).toContain('PostgreSQL');
    expect((refused as Error).message).not.toContain(new URL(database.url).password || '\u0000');
    ctx.close();
  });

  it('a holder id names the host and pid, and differs between two contexts of one process', () => {
    const [a, b] = [new CliContext({ MAILMON_HOME: home }), new CliContext({ MAILMON_HOME: home })];
    expect(a.holderId.startsWith(`${os.hostname()}:${process.pid}:`)).toBe(true);
    expect(a.holderId).not.toBe(b.holderId);
  });
});
