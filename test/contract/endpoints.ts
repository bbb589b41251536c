/** The Endpoints port's promises (src/app/ports/endpoints.ts), for every implementation. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HealthUpdate } from '../../src/core/delivery-schedule.js';
import type { Storage } from '../../src/app/ports/storage.js';
import type { StoreFactory, StoreUnderTest } from './stores.js';

type Ports = Pick<Storage, 'mailboxes' | 'events' | 'endpoints' | 'deliveries'>;

export function addEndpoint(storage: Pick<Storage, 'endpoints'>, id: string, options: { createdAt?: number; lastEnqueuedSequence?: number; rules?: Array<{ eventType: string; mailboxId: string | null }> } = {}): Promise<void> {
  return storage.endpoints.insert(
    { id, url: `https://example.com/${id}`, description: null, signatureScheme: 'both', headers: { 'x-env': 'test' }, lastEnqueuedSequence: options.lastEnqueuedSequence ?? 0, createdAt: options.createdAt ?? 1_000 },
    options.rules ?? [{ eventType: '*', mailboxId: null }],
  );
}

const failing = (failures: number, change: HealthUpdate['change'] = null): HealthUpdate => ({ health: change?.to ?? 'active', enabled: change?.to !== 'disabled', consecutiveFailures: failures, failingSince: 1_000, change });

export function endpointsContract(factory: StoreFactory<Ports>): void {
  describe(`Endpoints (${factory.name})`, () => {
    let store: StoreUnderTest<Ports>;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(async () => {
      await store.close();
    });

    it('inserts an active, enabled endpoint with its rules; lists oldest first; unknown ids are undefined', async () => {
      const { endpoints } = store.storage;
      await addEndpoint(store.storage, 'whe_b', { createdAt: 2_000, rules: [{ eventType: 'message.*', mailboxId: 'mbx_a' }, { eventType: 'mailbox.*', mailboxId: null }] });
      await addEndpoint(store.storage, 'whe_a', { createdAt: 1_000, lastEnqueuedSequence: 7 });
      expect((await endpoints.list()).map((e) => e.id)).toEqual(['whe_a', 'whe_b']);
      expect(await endpoints.get('whe_a')).toMatchObject({
        url: 'https://example.com/whe_a', signatureScheme: 'both', headers: { 'x-env': 'test' }, health: 'active', enabled: true, disabledReason: null,
        consecutiveFailures: 0, failingSince: null, previousSecretExpiresAt: null, lastEnqueuedSequence: 7, createdAt: 1_000, updatedAt: 1_000,
      });
      expect(await endpoints.subscriptions('whe_b')).toEqual([{ eventType: 'message.*', mailboxId: 'mbx_a' }, { eventType: 'mailbox.*', mailboxId: null }]);
      expect(await endpoints.get('whe_missing')).toBeUndefined();
      expect(await endpoints.subscriptions('whe_missing')).toEqual([]);
    });

    it('a health change is written with the row it changes; the history lists the latest changes oldest first', async () => {
      const { endpoints } = store.storage;
      await addEndpoint(store.storage, 'whe_a');
      await endpoints.applyHealth('whe_a', failing(3), 2_000);
      expect(await endpoints.healthChanges('whe_a')).toEqual([]);
      await endpoints.applyHealth('whe_a', failing(9, { from: 'active', to: 'warning', reason: 'failing for 15 minutes' }), 3_000);
      await endpoints.applyHealth('whe_a', failing(12, { from: 'warning', to: 'disabled', reason: 'failing for 24 hours' }), 4_000);
      expect(await endpoints.get('whe_a')).toMatchObject({ health: 'disabled', enabled: false, disabledReason: 'failing for 24 hours', consecutiveFailures: 12, failingSince: 1_000, updatedAt: 4_000 });
      expect(await endpoints.healthChanges('whe_a')).toEqual([
        { fromHealth: 'active', toHealth: 'warning', reason: 'failing for 15 minutes', at: 3_000 },
        { fromHealth: 'warning', toHealth: 'disabled', reason: 'failing for 24 hours', at: 4_000 },
      ]);
      expect(await endpoints.healthChanges('whe_a', 1)).toEqual([{ fromHealth: 'warning', toHealth: 'disabled', reason: 'failing for 24 hours', at: 4_000 }]);
      await endpoints.applyHealth('whe_a', { health: 'active', enabled: true, consecutiveFailures: 0, failingSince: null, change: { from: 'disabled', to: 'active', reason: 'enabled by command' } }, 5_000, { disabledReason: null });
      expect(await endpoints.get('whe_a')).toMatchObject({ health: 'active', enabled: true, disabledReason: null, consecutiveFailures: 0, failingSince: null });
    });

    it('an explicit disabled reason wins over the change reason', async () => {
      const { endpoints } = store.storage;
      await addEndpoint(store.storage, 'whe_a');
      await endpoints.applyHealth('whe_a', { health: 'disabled', enabled: false, consecutiveFailures: 0, failingSince: null, change: { from: 'active', to: 'disabled', reason: 'disabled by command' } }, 2_000, { disabledReason: 'paused for maintenance' });
      expect(await endpoints.get('whe_a')).toMatchObject({ enabled: false, disabledReason: 'paused for maintenance' });
    });

    it('health changes from concurrent connections are all kept, each with its history row', async () => {
      await addEndpoint(store.storage, 'whe_a');
      const connections = [store.storage, await store.connect(), await store.connect()];
      await Promise.all(Array.from({ length: 30 }, (_, i) => connections[i % 3].endpoints.applyHealth('whe_a', failing(i, { from: 'active', to: 'warning', reason: `change ${i}` }), 2_000 + i)));
      const history = await store.storage.endpoints.healthChanges('whe_a', 100);
      expect(new Set(history.map((change) => change.reason)).size).toBe(30);
    });

    it('keeps the previous secret expiry; remove deletes the endpoint with its subscriptions, reports whether it existed', async () => {
      const { endpoints } = store.storage;
      await addEndpoint(store.storage, 'whe_a');
      await endpoints.setPreviousSecretExpiry('whe_a', 90_000, 3_000);
      expect(await endpoints.get('whe_a')).toMatchObject({ previousSecretExpiresAt: 90_000, updatedAt: 3_000 });
      expect(await endpoints.remove('whe_a')).toBe(true);
      expect(await endpoints.remove('whe_a')).toBe(false);
      expect(await endpoints.get('whe_a')).toBeUndefined();
      expect(await endpoints.subscriptions('whe_a')).toEqual([]);
      expect(await endpoints.list()).toEqual([]);
    });
  });
}
