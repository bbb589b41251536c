import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLease, leasePath, readLeaseHolder, removeExpiredLeases } from '../../src/adapters/system/lease.js';

function leasesDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-leases-'));
}

describe('mailbox leases', () => {
  it('are exclusive: a live holder is refused, naming its pid, and each acquisition bumps the epoch', async () => {
    const dir = leasesDir();
    let epoch = 0;
    const first = await acquireLease({ leasesDir: dir, mailboxId: 'mbx_a', bumpEpoch: () => ++epoch });
    expect(first.epoch).toBe(1);
    expect(readLeaseHolder(dir, 'mbx_a')).toMatchObject({ pid: process.pid, epoch: 1 });
    await expect(acquireLease({ leasesDir: dir, mailboxId: 'mbx_a', bumpEpoch: () => ++epoch })).rejects.toMatchObject({ code: 'lease_held', message: expect.stringContaining(`pid ${process.pid}`) });
    await first.release();
    expect(fs.existsSync(leasePath(dir, 'mbx_a'))).toBe(false);
    const second = await acquireLease({ leasesDir: dir, mailboxId: 'mbx_a', bumpEpoch: () => ++epoch });
    expect(second.epoch).toBe(2);
    await second.release();
  });

  it('a lease whose holder died (SIGKILL) is taken over at once', async () => {
    const dir = leasesDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
    fs.writeFileSync(leasePath(dir, 'mbx_b'), JSON.stringify({ pid: dead, hostname: os.hostname(), token: 'x', epoch: 4, acquiredAt: Date.now(), purpose: 'sync' }));
    const started = Date.now();
    const lease = await acquireLease({ leasesDir: dir, mailboxId: 'mbx_b', bumpEpoch: () => 5 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(lease.epoch).toBe(5);
    await lease.release();
  });

  it('an expired lease (no heartbeat for the stale period) is taken over; a fresh one is waited for', async () => {
    const dir = leasesDir();
    const file = leasePath(dir, 'mbx_c');
    fs.writeFileSync(file, JSON.stringify({ pid: process.pid, hostname: 'another-host', token: 'y', epoch: 1, acquiredAt: 0, purpose: 'sync' }));
    await expect(acquireLease({ leasesDir: dir, mailboxId: 'mbx_c', bumpEpoch: () => 2, staleMs: 60_000, waitMs: 100 })).rejects.toMatchObject({ code: 'lease_held' });
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(file, old, old);
    const lease = await acquireLease({ leasesDir: dir, mailboxId: 'mbx_c', bumpEpoch: () => 2, staleMs: 60_000 });
    expect(lease.epoch).toBe(2);
    await lease.release();
  });

  it('a holder whose lease was taken over notices through its heartbeat', async () => {
    const dir = leasesDir();
    const lease = await acquireLease({ leasesDir: dir, mailboxId: 'mbx_d', bumpEpoch: () => 1, heartbeatMs: 20 });
    // Taken over as a taker does it: our record removed by its name, another holder's lease renamed into place.
    const file = leasePath(dir, 'mbx_d');
    for (const record of fs.readdirSync(file)) fs.unlinkSync(path.join(file, record));
    const theirs = path.join(dir, '.theirs.tmp');
    fs.mkdirSync(theirs);
    fs.writeFileSync(path.join(theirs, 'someone-else.holder'), JSON.stringify({ pid: process.pid, hostname: os.hostname(), token: 'someone-else', epoch: 2, acquiredAt: Date.now(), purpose: 'sync' }));
    fs.renameSync(theirs, file);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lease.signal.aborted).toBe(true);
    expect((lease.signal.reason as { code: string }).code).toBe('lease_lost');
    await lease.release();
    expect(fs.existsSync(leasePath(dir, 'mbx_d'))).toBe(true); // not ours to remove
    expect(readLeaseHolder(dir, 'mbx_d')).toMatchObject({ token: 'someone-else' });
  });

  it('a waiter that waited longer than the stale period holds a fresh lease: nobody takes it over at once', async () => {
    const dir = leasesDir();
    let epoch = 0;
    const options = { leasesDir: dir, mailboxId: 'mbx_e', bumpEpoch: () => ++epoch, staleMs: 300, heartbeatMs: 50 };
    const first = await acquireLease(options);
    // Another process tries at the worst moment: just after the waiter got the lease, before its
    // epoch is recorded (bumping it in SQLite may wait for the store's lock).
    let intruder: Promise<unknown> | undefined;
    const waiting = acquireLease({
      ...options,
      waitMs: 10_000,
      bumpEpoch: () => {
        intruder = acquireLease({ ...options, waitMs: 0 }).catch((error: unknown) => error);
        return ++epoch;
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 700));
    await first.release();
    const second = await waiting;
    expect(await intruder).toMatchObject({ code: 'lease_held' });
    expect(second.signal.aborted).toBe(false);
    await second.release();
  });

  it('a holder whose lease was taken over releases nothing of its successor', async () => {
    const dir = leasesDir();
    let epoch = 0;
    const options = { leasesDir: dir, mailboxId: 'mbx_f', bumpEpoch: () => ++epoch };
    const first = await acquireLease({ ...options, heartbeatMs: 60_000 });
    // doctor with a stale period of -1 ms judges every holder expired and removes exactly that record.
    expect(removeExpiredLeases(dir, -1)).toEqual(['mbx_f']);
    const second = await acquireLease(options);
    await first.release();
    expect(readLeaseHolder(dir, 'mbx_f')).toMatchObject({ pid: process.pid, epoch: second.epoch });
    await second.release();
    expect(fs.existsSync(leasePath(dir, 'mbx_f'))).toBe(false);
  });
});
