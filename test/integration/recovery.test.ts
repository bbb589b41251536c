/**
 * Crash recovery judges sync runs by the lease epoch they ran under and whether anyone holds the
 * mailbox's lease — never by a process id, which means nothing on another host (or after reuse).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/adapters/system/clock.js';
import type { Leases } from '../../src/app/ports/leases.js';
import type { Logger } from '../../src/core/log-entry.js';
import { recoverOnce } from '../../src/daemon/recovery-service.js';
import { fileLeaseFactory, type LeasesUnderTest } from '../contract/stores.js';

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe('recoverOnce', () => {
  let under: LeasesUnderTest;
  let leases: Leases;
  beforeEach(async () => {
    under = await fileLeaseFactory.create();
    leases = under.open();
    for (const id of ['mbx_a', 'mbx_b']) await under.storage.mailboxes.insert({ id, emailAddress: `${id}@example.com`, name: null, gmailApiUrl: null, oauthUrl: null, scope: null }, 1_000);
  });
  afterEach(async () => under.close());

  const recover = () => recoverOnce({ ...under.storage, leases, clock: systemClock, logger: silent });
  const start = (id: string, mailboxId: string, epoch: number) => under.storage.syncRuns.start({ id, mailboxId, kind: 'incremental', epoch, startHistoryId: null, now: 1_000 });
  const statuses = async () => Object.fromEntries((await Promise.all(['mbx_a', 'mbx_b'].map((id) => under.storage.syncRuns.latest(id)))).flat().map((run) => [run.id, run.status]));

  it('closes a run whose holder let go of the lease, even though its process (this one) is alive', async () => {
    const lease = await leases.acquire('mbx_a');
    await start('run_1', 'mbx_a', lease.epoch);
    expect((await recover()).abandonedRuns).toBe(0);
    await lease.release();
    expect((await recover()).abandonedRuns).toBe(1);
    expect(await statuses()).toEqual({ run_1: 'abandoned' });
  });

  it('closes a run under an older epoch while a newer holder runs, and leaves the holder\'s own run alone', async () => {
    const old = await leases.acquire('mbx_a');
    await start('run_old', 'mbx_a', old.epoch);
    await old.release();
    const current = await leases.acquire('mbx_a');
    await start('run_current', 'mbx_a', current.epoch);
    const other = await leases.acquire('mbx_b');
    await start('run_b', 'mbx_b', other.epoch);
    expect((await recover()).abandonedRuns).toBe(1);
    expect(await statuses()).toEqual({ run_old: 'abandoned', run_current: 'running', run_b: 'running' });
    await current.release();
    await other.release();
  });
});
