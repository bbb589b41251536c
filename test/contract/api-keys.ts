/** The ApiKeys port's promises (src/app/ports/api-keys.ts), for every implementation. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiKeyScope } from '../../src/app/ports/api-keys.js';
import type { StoreFactory, StoreUnderTest } from './stores.js';

export function apiKeysContract(factory: StoreFactory): void {
  describe(`ApiKeys (${factory.name})`, () => {
    let store: StoreUnderTest;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(async () => {
      await store.close();
    });

    const key = (id: string, keyHash: string, scope: ApiKeyScope = 'read', name: string | null = null) => ({ id, name, scope, keyHash, keyPrefix: `mm_${id}` });

    it('creates keys, finds one by its hash, lists oldest first with every field', async () => {
      const { apiKeys } = store.storage;
      await apiKeys.create(key('key_b', 'hash-b', 'write', 'ci'), 2_000);
      await apiKeys.create(key('key_a', 'hash-a'), 1_000);
      expect(await apiKeys.findByHash('hash-b')).toEqual({ id: 'key_b', name: 'ci', scope: 'write', keyHash: 'hash-b', keyPrefix: 'mm_key_b', createdAt: 2_000, revokedAt: null });
      expect(await apiKeys.findByHash('hash-unknown')).toBeUndefined();
      expect((await apiKeys.list()).map((row) => row.id)).toEqual(['key_a', 'key_b']);
      expect(await apiKeys.countActive()).toBe(2);
    });

    it('refuses a second key with the same hash', async () => {
      const { apiKeys } = store.storage;
      await apiKeys.create(key('key_a', 'same'), 1_000);
      await expect(apiKeys.create(key('key_b', 'same'), 2_000)).rejects.toThrow();
      expect((await apiKeys.list()).map((row) => row.id)).toEqual(['key_a']);
    });

    it('a revoked key is no longer found, stays listed with its revocation time, and revokes once', async () => {
      const { apiKeys } = store.storage;
      await apiKeys.create(key('key_a', 'hash-a'), 1_000);
      expect(await apiKeys.revoke('key_a', 5_000)).toBe(true);
      expect(await apiKeys.revoke('key_a', 6_000)).toBe(false);
      expect(await apiKeys.revoke('key_missing', 6_000)).toBe(false);
      expect(await apiKeys.findByHash('hash-a')).toBeUndefined();
      expect(await apiKeys.list()).toMatchObject([{ id: 'key_a', revokedAt: 5_000 }]);
      expect(await apiKeys.countActive()).toBe(0);
    });

    it('a key revoked through one connection is refused at once through another', async () => {
      const other = await store.connect();
      await store.storage.apiKeys.create(key('key_a', 'hash-a'), 1_000);
      expect((await other.apiKeys.findByHash('hash-a'))?.id).toBe('key_a');
      await store.storage.apiKeys.revoke('key_a', 2_000);
      expect(await other.apiKeys.findByHash('hash-a')).toBeUndefined();
    });

    it('concurrent revocations of one key: exactly one succeeds', async () => {
      await store.storage.apiKeys.create(key('key_a', 'hash-a'), 1_000);
      const connections = [store.storage, await store.connect(), await store.connect()];
      const results = await Promise.all(Array.from({ length: 9 }, (_, i) => connections[i % 3].apiKeys.revoke('key_a', 2_000 + i)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });
}
