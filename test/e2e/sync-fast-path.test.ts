/**
 * `sync --json` is run without oclif (bin/run.js, src/cli/fast-path.ts, src/cli/sync-run.ts):
 * these tests hold that path to the bytes, exit codes and stored state oclif's path gives for
 * the same command on two copies of one home — a first sync, an incremental one, a mailbox whose
 * token was revoked, no mailbox, and a home or store that cannot be used. FORCE_COLOR=0 (no colour
 * either way) sends the command through oclif; the module trace proves which path ran.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { parseJson, runCli, tempHome } from '../support/cli.js';
import { bothPathsOnCopies } from '../support/fast-path.js';

const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '100000' };
/** A second fixture mailbox, for a sync of several where one fails. */
const OTHER = 'ops@mailmon.test';
// How long each sync took is the only thing that may differ between two runs.
const sameDuration = (stdout: string) => stdout.replace(/"durationMs": \d+/g, '"durationMs": 0');
const syncJson = (homes: [string, string]) => bothPathsOnCopies(['sync', '--json'], homes, env, sameDuration);

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer({ quota: false, seed: 5, mailboxes: [{ generate: { messages: 60, seed: 5 } }, { emailAddress: OTHER, generate: { messages: 5, seed: 6 } }] });
});
afterAll(async () => server?.close());

/** Two copies of `home`. */
function copies(home: string): [string, string] {
  return [0, 1].map(() => {
    const copy = tempHome('mailmon-sync-fast-');
    fs.cpSync(home, copy, { recursive: true });
    return copy;
  }) as [string, string];
}

/** What a sync leaves in the store, without the ids each process makes up. */
function stored(home: string) {
  const db = new Database(path.join(home, 'mailmon.db'), { readonly: true });
  try {
    return {
      mailbox: db.prepare('select status, history_id as historyId from mailboxes').all(),
      messages: db.prepare('select provider_message_id as id, label_ids as labels from messages order by provider_message_id').all(),
      threads: db.prepare('select provider_thread_id as id, message_count as count, label_ids as labels from threads order by provider_thread_id').all(),
      events: db.prepare('select type, count(*) as count from events group by type order by type').all(),
    };
  } finally {
    db.close();
  }
}

describe('sync --json without oclif', () => {
  it('syncs the same: a first sync, then an incremental one, with the same results and the same store', async () => {
    const home = tempHome('mailmon-sync-fast-');
    expect((await runCli(['login', '--fixture', server.url, '--json'], { home, env })).exitCode).toBe(0);
    const homes = copies(home);
    const first = await syncJson(homes);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(parseJson(first.stdout)).toMatchObject({ results: [{ kind: 'full', created: 60 }], failures: [] });
    expect(stored(homes[0])).toEqual(stored(homes[1]));

    const ids = (await server.control.snapshot({})).messages.map((message) => message.id);
    await server.control.modify({ id: ids[0]!, addLabelIds: ['STARRED'] });
    await server.control.trash({ id: ids[1]! });
    await server.control.send({ subject: 'fast path', text: 'hello' });
    const next = await syncJson(homes);
    expect(next.exitCode, next.stderr).toBe(0);
    expect(parseJson(next.stdout)).toMatchObject({ results: [{ kind: 'incremental', created: 1, updated: 2 }], failures: [] });
    expect(stored(homes[0])).toEqual(stored(homes[1]));
    expect(next.stdout.endsWith('}\n')).toBe(true);
  }, 60_000);

  it('fails the same way: one of two mailboxes revoked (exit 1, its failure in the results), the only one revoked, no mailbox, a home that is a file, an empty store', async () => {
    const home = tempHome('mailmon-sync-fast-');
    expect((await runCli(['login', '--fixture', server.url, '--json'], { home, env })).exitCode).toBe(0);
    expect((await runCli(['login', '--fixture', server.url, '--login-hint', OTHER, '--json'], { home, env })).exitCode).toBe(0);
    await server.control.revokeToken({ mailbox: OTHER });
    const oneRevoked = await syncJson(copies(home));
    expect(oneRevoked.exitCode).toBe(1);
    expect(parseJson(oneRevoked.stdout)).toMatchObject({ results: [{ kind: 'full', emailAddress: 'dev@mailmon.test' }], failures: [{ emailAddress: OTHER, code: 'reauth_required' }] });

    const only = tempHome('mailmon-sync-fast-');
    expect((await runCli(['login', '--fixture', server.url, '--login-hint', OTHER, '--json'], { home: only, env })).exitCode).toBe(0);
    await server.control.revokeToken({ mailbox: OTHER });
    const revoked = await syncJson(copies(only));
    expect(parseJson(revoked.stdout)).toMatchObject({ error: { code: 'reauth_required' } });
    expect(revoked.exitCode).not.toBe(0);

    const none = await syncJson([tempHome('mailmon-sync-fast-'), tempHome('mailmon-sync-fast-')]);
    expect(parseJson(none.stdout)).toMatchObject({ error: { code: 'no_mailboxes' } });
    expect(none.exitCode).not.toBe(0);

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-file-home-')), 'home');
    fs.writeFileSync(file, 'not a directory');
    const notADirectory = await bothPathsOnCopies(['sync', '--json'], [file, file], env);
    expect(notADirectory.exitCode).not.toBe(0);
    expect(parseJson(notADirectory.stdout)).toMatchObject({ error: { code: expect.any(String) } });

    const empty = copies(home);
    for (const copy of empty) fs.truncateSync(path.join(copy, 'mailmon.db'), 0);
    const emptyStore = await syncJson(empty);
    expect(emptyStore.exitCode).toBe(4);
    expect(parseJson(emptyStore.stdout)).toMatchObject({ error: { code: 'store_corrupt' } });
  }, 60_000);
});
