/**
 * The DeliveryQueue port's promises (src/app/ports/delivery-queue.ts), for every
 * implementation. Events come from the only public way to append one without a sync: a
 * mailbox status change (ordering key = the mailbox, so one mailbox is one "thread" here).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AttemptResult, ClaimedDelivery } from '../../src/app/ports/delivery-queue.js';
import type { Storage } from '../../src/app/ports/storage.js';
import { addEndpoint } from './endpoints.js';
import type { StoreFactory, StoreUnderTest } from './stores.js';

type Ports = Pick<Storage, 'mailboxes' | 'events' | 'endpoints' | 'deliveries'>;

const ok: AttemptResult = { ok: true, status: 200, latencyMs: 12, responseHeaders: { 'content-type': 'text/plain' }, responseBody: 'ok', errorClass: null, errorMessage: null };
const failed: AttemptResult = { ok: false, status: 503, latencyMs: 30, responseHeaders: {}, responseBody: 'down', errorClass: 'http_error', errorMessage: null };

export function deliveryQueueContract(factory: StoreFactory<Ports>): void {
  describe(`DeliveryQueue (${factory.name})`, () => {
    let store: StoreUnderTest<Ports>;
    let ids = 0;
    const newId = () => `dlv_${String(++ids).padStart(6, '0')}`;
    const statuses = new Map<string, 'active' | 'paused'>();

    beforeEach(async () => {
      store = await factory.create();
      statuses.clear();
    });
    afterEach(async () => {
      await store.close();
    });

    /** Appends one event per mailbox named, in order (each mailbox is one ordering key). */
    async function emit(...mailboxIds: string[]): Promise<void> {
      for (const id of mailboxIds) {
        if (!statuses.has(id)) {
          await store.storage.mailboxes.insert({ id, emailAddress: `${id}@example.com`, name: null, gmailApiUrl: null, oauthUrl: null, scope: null }, 1_000);
          statuses.set(id, 'paused');
        }
        const next = statuses.get(id) === 'active' ? 'paused' : 'active';
        statuses.set(id, next);
        await store.storage.mailboxes.setStatus(id, next, null, { now: 1_000, newEventId: () => `evt_${newId()}` });
      }
    }

    const claim = (storage: Ports, holder: string, now = 10_000, limit = 10, endpointId = 'whe_a') => storage.deliveries.claimDue({ endpointId, holder, now, limit });
    const succeed = (delivery: ClaimedDelivery, holder: string, finishedAt = 10_100) =>
      store.storage.deliveries.recordOutcome({ delivery, holder, result: ok, finishedAt, next: null, abandoned: false, health: null });

    it('fans each new event out once per endpoint whose subscriptions match; nothing twice', async () => {
      await addEndpoint(store.storage, 'whe_a');
      await addEndpoint(store.storage, 'whe_b', { rules: [{ eventType: 'mailbox.*', mailboxId: 'mbx_b' }] });
      await emit('mbx_a', 'mbx_b', 'mbx_a');
      const { deliveries } = store.storage;
      expect(await deliveries.fanOut(5_000, newId)).toBe(4);
      expect(await deliveries.fanOut(5_000, newId)).toBe(0);
      expect(await deliveries.pendingCount('whe_a')).toBe(3);
      expect(await deliveries.pendingCount('whe_b')).toBe(1);
      const rows = await deliveries.list({ endpointId: 'whe_a', limit: 10 });
      expect(rows.map((row) => [row.attempt, row.kind, row.status, row.scheduledAt])).toEqual([[1, 'normal', 'pending', 5_000], [1, 'normal', 'pending', 5_000], [1, 'normal', 'pending', 5_000]]);
    });

    it('an endpoint receives only events after its last enqueued sequence; fan-out respects the batch size', async () => {
      await emit('mbx_a', 'mbx_a');
      const head = await store.storage.events.head();
      await addEndpoint(store.storage, 'whe_a', { lastEnqueuedSequence: head });
      await emit('mbx_a', 'mbx_a', 'mbx_a');
      expect(await store.storage.deliveries.fanOut(5_000, newId, 2)).toBe(2);
      expect(await store.storage.deliveries.fanOut(5_000, newId, 2)).toBe(1);
      expect(await store.storage.deliveries.pendingCount('whe_a')).toBe(3);
    });

    it('concurrent fan-outs on several connections enqueue each event exactly once per endpoint', async () => {
      await addEndpoint(store.storage, 'whe_a');
      await addEndpoint(store.storage, 'whe_b');
      await emit(...Array.from({ length: 20 }, (_, i) => `mbx_${i % 4}`));
      const connections = [store.storage, await store.connect(), await store.connect()];
      const created = await Promise.all(Array.from({ length: 9 }, (_, i) => connections[i % 3].deliveries.fanOut(5_000, newId, 7)));
      const rest = await store.storage.deliveries.fanOut(5_000, newId);
      expect(created.reduce((sum, n) => sum + n, 0) + rest).toBe(40);
      for (const endpointId of ['whe_a', 'whe_b']) {
        const rows = await store.storage.deliveries.list({ endpointId, limit: 100 });
        expect(new Set(rows.map((row) => row.eventSequence)).size).toBe(20);
        expect(rows).toHaveLength(20);
      }
    });

    it('two claimers of one delivery on two connections at once: exactly one wins, recording who and when', async () => {
      await addEndpoint(store.storage, 'whe_a');
      await emit('mbx_a');
      await store.storage.deliveries.fanOut(5_000, newId);
      const other = await store.connect();
      const [mine, theirs] = await Promise.all([claim(store.storage, 'host-a:1:aa'), claim(other, 'host-b:2:bb')]);
      expect(mine.length + theirs.length).toBe(1);
      const won = [...mine, ...theirs][0];
      expect(won).toMatchObject({ status: 'in_flight', startedAt: 10_000, eventType: 'mailbox.status_changed' });
      expect(JSON.parse(won.body)).toMatchObject({ type: 'mailbox.status_changed' });
      // Only the winner may record the outcome.
      const loser = mine.length === 1 ? 'host-b:2:bb' : 'host-a:1:aa';
      const winner = mine.length === 1 ? 'host-a:1:aa' : 'host-b:2:bb';
      expect(await succeed(won, loser)).toBe(false);
      expect(await succeed(won, winner)).toBe(true);
      expect(await store.storage.deliveries.get(won.id)).toMatchObject({ status: 'succeeded', responseStatus: 200, responseHeaders: { 'content-type': 'text/plain' } });
    });

    it('many claimers on three connections share due heads without overlap', async () => {
      await addEndpoint(store.storage, 'whe_a');
      await emit(...Array.from({ length: 12 }, (_, i) => `mbx_${i}`));
      await store.storage.deliveries.fanOut(5_000, newId);
      const connections = [store.storage, await store.connect(), await store.connect()];
      const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => claim(connections[i % 3], `holder-${i}`, 10_000, 2)));
      const claimed = claims.flat().map((row) => row.id);
      expect(claimed).toHaveLength(12);
      expect(new Set(claimed).size).toBe(12);
    });

    it('claimers on three connections never hold two events of one thread at once, across failures and retries', async () => {
      await addEndpoint(store.storage, 'whe_a');
      await emit(...Array.from({ length: 24 }, (_, i) => `mbx_${i % 6}`));
      await store.storage.deliveries.fanOut(5_000, newId);
      const connections = [store.storage, await store.connect(), await store.connect()];
      const held = new Set<string>();
      const problems: string[] = [];
      let failures = 0;
      const work = async (storage: Ports, holder: string) => {
        for (let idle = 0; idle < 30;) {
          const batch = await claim(storage, holder, 10_000, 2);
          idle = batch.length === 0 ? idle + 1 : 0;
          for (const row of batch) {
            if (held.has(row.orderingKey)) problems.push(`${holder} claimed ${row.orderingKey} #${row.eventSequence} while it was held`);
            held.add(row.orderingKey);
          }
          for (const row of batch) {
            // Every third attempt fails with a retry due at once: the retry must stay the thread's head.
            const fail = ++failures % 3 === 0;
            held.delete(row.orderingKey);
            const next = fail ? { id: newId(), scheduledAt: 10_000 } : null;
            expect(await storage.deliveries.recordOutcome({ delivery: row, holder, result: fail ? failed : ok, finishedAt: 10_100, next, abandoned: false, health: null })).toBe(true);
          }
          await new Promise((resolve) => setTimeout(resolve, batch.length === 0 ? 2 : 0));
        }
      };
      await Promise.all(Array.from({ length: 6 }, (_, i) => work(connections[i % 3], `holder-${i}`)));
      expect(problems).toEqual([]);
      const succeeded = await store.storage.deliveries.list({ endpointId: 'whe_a', status: 'succeeded', limit: 1_000 });
      expect(succeeded).toHaveLength(24);
      expect(await store.storage.deliveries.pendingCount('whe_a')).toBe(0);
    });

    it("per-thread order: a thread's second event is not claimable while its first is open, even between retries", async () => {
      await addEndpoint(store.storage, 'whe_a');
      await emit('mbx_a', 'mbx_b', 'mbx_a');
      const { deliveries } = store.storage;
      await deliveries.fanOut(5_000, newId);
      const first = await claim(store.storage, 'h1');
      expect(first).toHaveLength(2);
      expect(new Set(first.map((row) => row.orderingKey)).size).toBe(2);
      expect(await claim(store.storage, 'h2', 10_000)).toEqual([]);
      const headA = first.reduce((a, b) => (a.eventSequence < b.eventSequence ? a : b));
      // Fails with a retry in a minute: the retry is the thread's head now, and not due yet.
      expect(await deliveries.recordOutcome({ delivery: headA, holder: 'h1', result: failed, finishedAt: 10_100, next: { id: newId(), scheduledAt: 70_000 }, abandoned: false, health: null })).toBe(true);
      expect(await claim(store.storage, 'h2', 20_000)).toEqual([]);
      expect(await deliveries.nextScheduledAfter(20_000)).toBe(70_000);
      const retry = await claim(store.storage, 'h2', 70_000);
      expect(retry.map((row) => [row.eventSequence, row.attempt])).toEqual([[headA.eventSequence, 2]]);
      expect(await succeed(retry[0], 'h2', 70_100)).toBe(true);
      const second = await claim(store.storage, 'h3', 70_200);
      expect(second).toHaveLength(1);
      expect(second[0].orderingKey).toBe(headA.orderingKey);
      expect(second[0].eventSequence).toBeGreaterThan(headA.eventSequence);
    });

    it('claims only due heads of enabled endpoints; lists endpoints with due work', async () => {
      await addEndpoint(store.storage, 'whe_a');
      await addEndpoint(store.storage, 'whe_b');
      await emit('mbx_a');
      const { deliveries, endpoints } = store.storage;
      await deliveries.fanOut(5_000, newId);
      expect(await deliveries.endpointsWithDueWork(4_999)).toEqual([]);
      expect((await deliveries.endpointsWithDueWork(5_000)).sort()).toEqual(['whe_a', 'whe_b']);
      await endpoints.applyHealth('whe_b', { health: 'disabled', enabled: false, consecutiveFailures: 0, failingSince: null, change: null }, 6_000);
      expect(await deliveries.endpointsWithDueWork(10_000)).toEqual(['whe_a']);
      expect(await claim(store.storage, 'h', 10_000, 10, 'whe_b')).toEqual([]);
      expect(await claim(store.storage, 'h', 4_000)).toEqual([]);
      expect(await claim(store.storage, 'h', 10_000, 0)).toEqual([]);
    });

    it('outcome, next attempt and endpoint health commit together, and only for the claim holder', async () => {
      await addEndpoint(store.storage, 'whe_a');
      await emit('mbx_a');
      const { deliveries, endpoints } = store.storage;
      await deliveries.fanOut(5_000, newId);
      const [delivery] = await claim(store.storage, 'h1');
      const health = { health: 'warning' as const, enabled: true, consecutiveFailures: 6, failingSince: 1_000, change: { from: 'active' as const, to: 'warning' as const, reason: 'failing for 15 minutes' } };
      const outcome = { delivery, result: failed, finishedAt: 10_100, next: { id: 'dlv_next', scheduledAt: 70_000 }, abandoned: false, health };
      expect(await deliveries.recordOutcome({ ...outcome, holder: 'not-the-holder' })).toBe(false);
      expect(await deliveries.get('dlv_next')).toBeUndefined();
      expect(await endpoints.get('whe_a')).toMatchObject({ health: 'active', consecutiveFailures: 0 });
      expect(await endpoints.healthChanges('whe_a')).toEqual([]);
      expect(await deliveries.recordOutcome({ ...outcome, holder: 'h1' })).toBe(true);
      expect(await deliveries.get(delivery.id)).toMatchObject({ status: 'failed', finishedAt: 10_100, responseStatus: 503, errorClass: 'http_error' });
      expect(await deliveries.get('dlv_next')).toMatchObject({ status: 'pending', attempt: 2, scheduledAt: 70_000, eventId: delivery.eventId });
      expect(await endpoints.get('whe_a')).toMatchObject({ health: 'warning', consecutiveFailures: 6 });
      expect(await endpoints.healthChanges('whe_a')).toHaveLength(1);
      // A second outcome for the same claim is refused: it is no longer in flight.
      expect(await deliveries.recordOutcome({ ...outcome, next: { id: 'dlv_other', scheduledAt: 1 }, holder: 'h1' })).toBe(false);
      expect(await deliveries.get('dlv_other')).toBeUndefined();
      expect(await deliveries.lastError('whe_a')).toEqual({ message: expect.any(String), at: 10_100 });
      expect(await deliveries.lastDeliveryAt('whe_a')).toBe(10_100);
    });

    it('a stale claim is released by age, whoever holds it, and retried; a fresh claim of another holder is left alone', async () => {
      await addEndpoint(store.storage, 'whe_a');
      await emit('mbx_a', 'mbx_b');
      const { deliveries } = store.storage;
      await deliveries.fanOut(5_000, newId);
      const [old] = await claim(store.storage, 'dead-host:41:aa', 10_000, 1);
      const other = await store.connect();
      const [fresh] = await claim(other, 'live-host:42:bb', 50_000, 1);
      // Not older than the cut-off: kept (a claim is never released for its holder's pid or host).
      expect(await deliveries.releaseStaleClaims({ claimedBefore: 10_000, now: 60_000, newDeliveryId: newId })).toBe(0);
      expect(await deliveries.releaseStaleClaims({ claimedBefore: 40_000, now: 60_000, newDeliveryId: newId })).toBe(1);
      expect(await deliveries.get(old.id)).toMatchObject({ status: 'failed', errorClass: 'interrupted', finishedAt: 60_000 });
      expect(await deliveries.get(fresh.id)).toMatchObject({ status: 'in_flight' });
      const attempts = await deliveries.attemptsOf('whe_a', old.eventSequence);
      expect(attempts.map((row) => [row.attempt, row.status, row.scheduledAt])).toEqual([[1, 'failed', 5_000], [2, 'pending', 60_000]]);
      // The old holder's late outcome is refused; the retry is claimable at once.
      expect(await succeed(old, 'dead-host:41:aa', 60_100)).toBe(false);
      const retried = await claim(store.storage, 'new-host:43:cc', 60_000);
      expect(retried.map((row) => [row.eventSequence, row.attempt])).toEqual([[old.eventSequence, 2]]);
      expect(await succeed(fresh, 'live-host:42:bb', 60_200)).toBe(true);
    });

    it('stale-claim releases from several connections at once release each claim once, with one retry each', async () => {
      await addEndpoint(store.storage, 'whe_a');
      await emit(...Array.from({ length: 8 }, (_, i) => `mbx_${i}`));
      const { deliveries } = store.storage;
      await deliveries.fanOut(5_000, newId);
      expect(await claim(store.storage, 'dead-host:41:aa', 10_000, 8)).toHaveLength(8);
      const connections = [store.storage, await store.connect(), await store.connect()];
      const released = await Promise.all(Array.from({ length: 6 }, (_, i) => connections[i % 3].deliveries.releaseStaleClaims({ claimedBefore: 40_000, now: 60_000, newDeliveryId: newId })));
      expect(released.reduce((sum, n) => sum + n, 0)).toBe(8);
      expect(await deliveries.list({ endpointId: 'whe_a', status: 'pending', limit: 100 })).toHaveLength(8);
      expect(await deliveries.list({ endpointId: 'whe_a', status: 'failed', limit: 100 })).toHaveLength(8);
    });

    it('a late outcome racing a stale-claim release on another connection: exactly one of them closes the attempt', async () => {
      await addEndpoint(store.storage, 'whe_a');
      await emit(...Array.from({ length: 10 }, (_, i) => `mbx_${i}`));
      const { deliveries } = store.storage;
      await deliveries.fanOut(5_000, newId);
      const other = await store.connect();
      for (let round = 0; round < 10; round++) {
        const [delivery] = await claim(store.storage, 'slow-host:41:aa', 10_000, 1);
        const [recorded, released] = await Promise.all([
          succeed(delivery, 'slow-host:41:aa', 60_100),
          other.deliveries.releaseStaleClaims({ claimedBefore: 40_000, now: 60_000, newDeliveryId: newId }),
        ]);
        expect(Number(recorded) + released).toBe(1);
        const attempts = await deliveries.attemptsOf('whe_a', delivery.eventSequence);
        expect(attempts.map((row) => row.status)).toEqual(recorded ? ['succeeded'] : ['failed', 'pending']);
      }
    });

    it('a released claim (graceful stop) is pending again, unchanged; only its holder can release it', async () => {
      await addEndpoint(store.storage, 'whe_a');
      await emit('mbx_a');
      const { deliveries } = store.storage;
      await deliveries.fanOut(5_000, newId);
      const [delivery] = await claim(store.storage, 'h1');
      await deliveries.release(delivery.id, 'h2');
      expect(await deliveries.get(delivery.id)).toMatchObject({ status: 'in_flight' });
      await deliveries.release(delivery.id, 'h1');
      expect(await deliveries.get(delivery.id)).toMatchObject({ status: 'pending', startedAt: null, attempt: 1 });
      expect(await deliveries.releaseStaleClaims({ claimedBefore: 1e12, now: 20_000, newDeliveryId: newId })).toBe(0);
      expect(await claim(store.storage, 'h2', 20_000)).toHaveLength(1);
    });

    it('lists newest first with filters, shows attempts, logs test attempts, retries given-up deliveries once', async () => {
      await addEndpoint(store.storage, 'whe_a');
      await emit('mbx_a', 'mbx_b');
      const { deliveries } = store.storage;
      await deliveries.fanOut(5_000, newId);
      const [a, b] = (await claim(store.storage, 'h1')).sort((x, y) => x.eventSequence - y.eventSequence);
      await deliveries.recordOutcome({ delivery: a, holder: 'h1', result: failed, finishedAt: 11_000, next: null, abandoned: true, health: null });
      await succeed(b, 'h1', 12_000);
      await deliveries.logAttempt({ ...b, id: 'dlv_test', eventSequence: 0, orderingKey: 'test', kind: 'test', status: 'failed', scheduledAt: 13_000, startedAt: 13_000, finishedAt: 13_000, responseStatus: 500, latencyMs: 3, responseHeaders: null, responseBody: '', errorClass: 'http_error', errorMessage: null });
      expect((await deliveries.list({ limit: 10 })).map((row) => row.id)).toEqual(['dlv_test', b.id, a.id]);
      expect((await deliveries.list({ status: 'failed', limit: 10 })).map((row) => row.id)).toEqual(['dlv_test', a.id]);
      expect((await deliveries.list({ status: 'abandoned', limit: 10 })).map((row) => row.id)).toEqual([a.id]);
      expect((await deliveries.list({ status: 'succeeded', since: 12_000, limit: 10 })).map((row) => row.id)).toEqual([b.id]);
      expect(await deliveries.list({ status: 'pending', limit: 10 })).toEqual([]);
      const scheduled = await deliveries.retry({ endpointId: 'whe_a' }, 20_000, newId);
      expect(scheduled).toHaveLength(1);
      expect(await deliveries.retry({ deliveryId: a.id }, 20_000, newId)).toEqual([]);
      expect(await deliveries.retry({ deliveryId: b.id }, 20_000, newId)).toEqual([]);
      expect((await deliveries.attemptsOf('whe_a', a.eventSequence)).map((row) => [row.attempt, row.status])).toEqual([[1, 'abandoned'], [2, 'pending']]);
      expect(await deliveries.pendingCount('whe_a')).toBe(1);
    });

    it('retries of one given-up delivery from several connections at once schedule one fresh attempt', async () => {
      await addEndpoint(store.storage, 'whe_a');
      await emit('mbx_a');
      const { deliveries } = store.storage;
      await deliveries.fanOut(5_000, newId);
      const [delivery] = await claim(store.storage, 'h1');
      await deliveries.recordOutcome({ delivery, holder: 'h1', result: failed, finishedAt: 11_000, next: null, abandoned: true, health: null });
      const connections = [store.storage, await store.connect(), await store.connect()];
      const scheduled = await Promise.all(Array.from({ length: 6 }, (_, i) => connections[i % 3].deliveries.retry(i % 2 === 0 ? { deliveryId: delivery.id } : { endpointId: 'whe_a' }, 20_000, newId)));
      expect(scheduled.flat()).toHaveLength(1);
      expect((await deliveries.attemptsOf('whe_a', delivery.eventSequence)).map((row) => [row.attempt, row.status])).toEqual([[1, 'abandoned'], [2, 'pending']]);
    });

    it('enabling with the backlog rescheduled makes waiting attempts due at once, in the same write', async () => {
      await addEndpoint(store.storage, 'whe_a');
      await emit('mbx_a');
      const { deliveries, endpoints } = store.storage;
      await deliveries.fanOut(5_000, newId);
      const [delivery] = await claim(store.storage, 'h1');
      await deliveries.recordOutcome({ delivery, holder: 'h1', result: failed, finishedAt: 10_100, next: { id: 'dlv_later', scheduledAt: 900_000 }, abandoned: false, health: { health: 'disabled', enabled: false, consecutiveFailures: 9, failingSince: 1_000, change: { from: 'active', to: 'disabled', reason: '410 Gone' } } });
      await endpoints.applyHealth('whe_a', { health: 'active', enabled: true, consecutiveFailures: 0, failingSince: null, change: { from: 'disabled', to: 'active', reason: 'enabled by command' } }, 20_000, { disabledReason: null, rescheduleBacklog: true });
      expect(await deliveries.get('dlv_later')).toMatchObject({ scheduledAt: 20_000 });
      expect(await deliveries.endpointsWithDueWork(20_000)).toEqual(['whe_a']);
    });

    it('removing an endpoint removes its deliveries', async () => {
      await addEndpoint(store.storage, 'whe_a');
      await emit('mbx_a');
      await store.storage.deliveries.fanOut(5_000, newId);
      await store.storage.endpoints.remove('whe_a');
      expect(await store.storage.deliveries.list({ limit: 10 })).toEqual([]);
      expect(await store.storage.deliveries.pendingCount('whe_a')).toBe(0);
    });
  });
}
