/** doctor on a PostgreSQL store: reachable, migrations, clock skew of this machine and of every daemon. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliContext } from '../../src/cli/context.js';
import { sharedStoreDoctor } from '../../src/cli/wiring.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

describe('doctor on a shared store', () => {
  let database: TestDatabase;
  let home: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-doctor-pg-'));
  });
  afterAll(async () => {
    await database.drop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  const byName = (checks: Array<{ name: string; ok: boolean; detail: string }>) => Object.fromEntries(checks.map((check) => [check.name, check]));

  it('a healthy store: reachable, migrated, clocks agree', async () => {
    const ctx = new CliContext({ MAILMON_HOME: home, MAILMON_DATABASE_URL: database.url });
    const report = await sharedStoreDoctor(ctx, '0.0.0-test');
    const checks = byName(report.checks);
    expect(checks['store reachable'].ok).toBe(true);
    expect(checks.migrations.ok).toBe(true);
    expect(report.migrations.applied).toBeGreaterThan(0);
    expect(checks['clock skew'].ok).toBe(true);
    expect(report.ok).toBe(true);
    ctx.close();
  });

  it('a daemon whose clock runs ahead of the database is named', async () => {
    const ctx = new CliContext({ MAILMON_HOME: home, MAILMON_DATABASE_URL: database.url });
    await (await ctx.storage()).daemons.heartbeat({ holderId: 'far:41:ab', host: 'far-box', pid: 41, startedAt: Date.now(), heartbeatAt: Date.now() + 120_000 });
    const checks = byName((await sharedStoreDoctor(ctx, '0.0.0-test')).checks);
    expect(checks['daemon clocks'].ok).toBe(false);
    expect(checks['daemon clocks'].detail).toContain('far-box (pid 41)');
    ctx.close();
  });

  it('an unreachable database fails the first check, saying where', async () => {
    const ctx = new CliContext({ MAILMON_HOME: home, MAILMON_DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none' });
    const report = await sharedStoreDoctor(ctx, '0.0.0-test');
    expect(report.ok).toBe(false);
    expect(report.checks[0]).toMatchObject({ name: 'store reachable', ok: false });
    expect(report.checks[0].detail).not.toContain('secret');
    ctx.close();
  });
});
