/**
 * `mailmon sync` asks its local daemon; on a store two daemons share, a mailbox in the OTHER
 * daemon's share is refused at once, naming that daemon (host, pid), instead of waiting minutes
 * for a lease that daemon keeps — also when no local daemon runs and the sync runs in the CLI
 * itself, whatever --wait asked for. A mailbox of its own share is synced as before.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startFleet, until, type Fleet } from '../support/pg-daemons.js';

function pastStartUp(home: string): boolean {
  const log = path.join(home, 'logs', 'daemon.log');
  return fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes('"api listening"');
}

let database: TestDatabase | undefined;
let fleet: Fleet | undefined;
afterAll(async () => {
  await fleet?.close().catch(() => undefined);
  await database?.drop().catch(() => undefined);
});

describe('a waited sync of a mailbox another daemon holds', () => {
  it('fails at once with lease_held naming the holder; the daemon syncs its own share', async () => {
    database = await createTestDatabase();
    // A lease expiry long enough that a daemon stalled by a loaded machine keeps its share.
    const running = await startFleet({ url: database.url, mailboxes: 2, messages: 3, daemons: 2, leaseTtlMs: 10_000 });
    fleet = running;
    running.start(0);
    running.start(1);
    const pids = running.daemons.map((slot) => slot.child.pid!);
    // Past their start-up (its last step is the API), when a busy machine stalls a daemon most.
    await until('both daemons started', () => running.daemons.every((slot) => pastStartUp(slot.home)), 60_000);
    // The fair share: one mailbox each.
    const holders = await until('each daemon holds one mailbox', async () => {
      const rows = await running.query<{ email: string; holder: string }>('select m.email_address as email, l.holder_id as holder from leases l join mailboxes m on m.id = l.mailbox_id');
      const byPid = new Map(rows.map((row) => [Number(row.holder.split(':').at(-2)), row.email]));
      return byPid.size === 2 && pids.every((pid) => byPid.has(pid)) ? byPid : undefined;
    }, 60_000);
    const own = holders.get(pids[0])!;
    const theirs = holders.get(pids[1])!;
    const env = running.env;
    const home = running.daemons[0].home;

    const started = Date.now();
    const refused = await runCli(['sync', theirs], { home, env, timeoutMs: 30_000 });
    const elapsed = Date.now() - started;
    expect(refused.exitCode, refused.stderr).toBe(7);
    expect(refused.stderr).toContain(`pid ${pids[1]} on ${os.hostname()}`);
    expect(refused.stderr).toContain(`mailmon sync" on ${os.hostname()}`);
    expect(elapsed).toBeLessThan(15_000);

    const synced = await runCli(['sync', own], { home, env, timeoutMs: 30_000 });
    expect(synced.exitCode, synced.stderr).toBe(0);
    expect(synced.stderr).toContain(`The daemon (pid ${pids[0]}) ran this sync.`);

    // No local daemon: the sync runs in this process, and is refused as soon as it sees whose lease it is.
    const bare = tempHome('mailmon-pg-bare-');
    const alone = Date.now();
    const bareRefused = await runCli(['sync', theirs, '--wait', '60'], { home: bare, env, timeoutMs: 30_000 });
    const aloneElapsed = Date.now() - alone;
    expect(bareRefused.exitCode, bareRefused.stderr).toBe(7);
    expect(bareRefused.stderr).toContain(`pid ${pids[1]} on ${os.hostname()}`);
    expect(aloneElapsed).toBeLessThan(15_000);

    // Every mailbox: this daemon's own is synced, the other's is a failure naming its holder, at once.
    const all = await runCli(['sync', '--json'], { home, env, timeoutMs: 30_000 });
    expect(all.exitCode).toBe(1);
    expect(all.stdout + all.stderr).toContain(`pid ${pids[1]} on ${os.hostname()}`);
    console.info(`waited sync of a mailbox held by another daemon refused in ${elapsed} ms:\n${refused.stderr}`);
  }, 180_000);
});
