/**
 * A SIGKILLed sync cannot close its own sync_runs row: the next holder of the mailbox's lease
 * closes it as abandoned (with an end time), so nothing stays "running" forever — without a daemon
 * and without anyone running doctor first.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { parseJson, runCli, startCli, tempHome } from '../support/cli.js';

const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '100000' };
let server: FixtureServer;

beforeAll(async () => {
  server = await startFixtureServer({ quota: false, seed: 5, mailboxes: [{ generate: { messages: 120, seed: 5 } }] });
});
afterAll(async () => server?.close());

interface RunRow {
  id: string;
  status: string;
  finishedAt: number | null;
  errorClass: string | null;
}

function runs(home: string): RunRow[] {
  const db = new Database(path.join(home, 'mailmon.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('select id, status, finished_at as finishedAt, error_class as errorClass from sync_runs order by started_at').all() as RunRow[];
  } finally {
    db.close();
  }
}

describe('a SIGKILLed sync', () => {
  it('leaves a running sync_runs row that the next sync closes as abandoned; doctor then finds none stuck', async () => {
    const home = tempHome('mailmon-abandoned-');
    expect((await runCli(['login', '--fixture', server.url], { home, env })).exitCode).toBe(0);

    // Slow Gmail keeps the full sync mid-run long enough to kill it there.
    await server.control.setFaults({ latencyMs: 400 });
    const child = startCli(['sync', '--full'], { home, env });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const deadline = Date.now() + 20_000;
    let running: RunRow | undefined;
    while (!running && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      running = runs(home).find((run) => run.status === 'running');
    }
    expect(running, 'the full sync started').toBeDefined();
    child.kill('SIGKILL');
    await exited;
    await server.control.clearFaults();
    expect(runs(home).find((run) => run.id === running!.id)).toMatchObject({ status: 'running', finishedAt: null });

    const started = Date.now();
    const next = await runCli(['sync'], { home, env, timeoutMs: 60_000 });
    expect(next.exitCode, next.stderr).toBe(0);
    const closed = runs(home).find((run) => run.id === running!.id)!;
    expect(closed).toMatchObject({ status: 'abandoned', errorClass: 'crashed' });
    expect(closed.finishedAt).toBeGreaterThanOrEqual(started);
    expect(runs(home).filter((run) => run.status === 'running')).toEqual([]);

    const doctor = await runCli(['doctor', '--json'], { home, env });
    const report = parseJson<{ checks: Array<{ name: string; ok: boolean; detail: string }> }>(doctor.stdout);
    expect(report.checks.find((check) => check.name === 'stuck syncs')).toMatchObject({ ok: true, detail: 'none' });
  });
});
