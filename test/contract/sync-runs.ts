/** The SyncRuns port's promises (src/app/ports/sync-runs.ts), for every implementation. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncRunOutcome } from '../../src/app/ports/sync-runs.js';
import type { Storage } from '../../src/app/ports/storage.js';
import type { StoreFactory, StoreUnderTest } from './stores.js';

const OUTCOME: SyncRunOutcome = { status: 'succeeded', kind: 'incremental', endHistoryId: '20', created: 1, updated: 2, deleted: 3, fetched: 4, events: 5, quotaUnits: 6, errorClass: null, errorMessage: null };

type Ports = Pick<Storage, 'mailboxes' | 'syncRuns'>;

export function syncRunsContract(factory: StoreFactory<Ports>): void {
  describe(`SyncRuns (${factory.name})`, () => {
    let store: StoreUnderTest<Ports>;
    beforeEach(async () => {
      store = await factory.create();
      for (const id of ['mbx_a', 'mbx_b']) await store.storage.mailboxes.insert({ id, emailAddress: `${id}@example.com`, name: null, gmailApiUrl: null, oauthUrl: null, scope: null }, 1_000);
    });
    afterEach(async () => {
      await store.close();
    });

    const start = (id: string, mailboxId: string, epoch: number, now: number) => store.storage.syncRuns.start({ id, mailboxId, kind: 'incremental', epoch, startHistoryId: '10', now });

    it('starts a run as running, finishes it with its outcome; latest lists newest first', async () => {
      const { syncRuns } = store.storage;
      await start('run_1', 'mbx_a', 1, 1_000);
      await start('run_2', 'mbx_a', 1, 2_000);
      expect((await syncRuns.running()).map((run) => run.id)).toEqual(['run_1', 'run_2']);
      await syncRuns.finish('run_1', OUTCOME, 1_500);
      await syncRuns.finish('run_2', { ...OUTCOME, status: 'superseded', errorClass: 'history_expired', errorMessage: 'continued as a resync' }, 2_500);
      expect(await syncRuns.running()).toEqual([]);
      const latest = await syncRuns.latest('mbx_a');
      expect(latest.map((run) => [run.id, run.status, run.errorClass])).toEqual([['run_2', 'superseded', 'history_expired'], ['run_1', 'succeeded', null]]);
      expect(latest[1]).toMatchObject({ ...OUTCOME, mailboxId: 'mbx_a', startedAt: 1_000, finishedAt: 1_500 });
      expect(await syncRuns.latest('mbx_b')).toEqual([]);
    });

    it('running lists each open run with its mailbox and epoch, oldest first', async () => {
      await start('run_b', 'mbx_b', 4, 2_000);
      await start('run_a', 'mbx_a', 3, 1_000);
      expect(await store.storage.syncRuns.running()).toEqual([
        { id: 'run_a', mailboxId: 'mbx_a', epoch: 3, startedAt: 1_000 },
        { id: 'run_b', mailboxId: 'mbx_b', epoch: 4, startedAt: 2_000 },
      ]);
    });

    it('closes only the mailbox runs still running under an older epoch', async () => {
      const { syncRuns } = store.storage;
      await start('run_old', 'mbx_a', 1, 1_000);
      await start('run_current', 'mbx_a', 2, 1_100);
      await start('run_other', 'mbx_b', 1, 1_200);
      await start('run_done', 'mbx_a', 1, 900);
      await syncRuns.finish('run_done', OUTCOME, 950);
      expect(await syncRuns.closeSuperseded('mbx_a', 2, 5_000)).toBe(1);
      expect((await syncRuns.running()).map((run) => run.id).sort()).toEqual(['run_current', 'run_other']);
      const byId = new Map((await syncRuns.latest('mbx_a')).map((run) => [run.id, run]));
      expect(byId.get('run_old')).toMatchObject({ status: 'abandoned', finishedAt: 5_000, errorClass: 'crashed' });
      expect(byId.get('run_done')?.status).toBe('succeeded');
    });

    it('abandons a run only while it is still running', async () => {
      const { syncRuns } = store.storage;
      await start('run_1', 'mbx_a', 1, 1_000);
      await start('run_2', 'mbx_a', 1, 1_100);
      await syncRuns.finish('run_2', OUTCOME, 1_200);
      expect(await syncRuns.abandon('run_1', 'its holder exited', 3_000)).toBe(true);
      expect(await syncRuns.abandon('run_1', 'again', 4_000)).toBe(false);
      expect(await syncRuns.abandon('run_2', 'too late', 4_000)).toBe(false);
      const byId = new Map((await syncRuns.latest('mbx_a')).map((run) => [run.id, run]));
      expect(byId.get('run_1')).toMatchObject({ status: 'abandoned', finishedAt: 3_000, errorMessage: 'its holder exited' });
      expect(byId.get('run_2')?.status).toBe('succeeded');
    });

    it('a run finished from another connection is seen by every connection', async () => {
      const other = await store.connect();
      await start('run_1', 'mbx_a', 1, 1_000);
      await other.syncRuns.finish('run_1', OUTCOME, 2_000);
      expect(await store.storage.syncRuns.running()).toEqual([]);
    });
  });
}
