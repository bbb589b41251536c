/** The StoreHealth port's promises (src/app/ports/store-health.ts), for every implementation. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreFactory, StoreUnderTest } from './stores.js';

export function storeHealthContract(factory: StoreFactory): void {
  describe(`StoreHealth (${factory.name})`, () => {
    let store: StoreUnderTest;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(async () => {
      await store.close();
    });

    it('a new store is intact, fully migrated and configured as it must be', async () => {
      const { health } = store.storage;
      expect((await health.engine()).version).toMatch(/^\d+\.\d+/);
      expect(await health.integrityProblems()).toEqual([]);
      const migrations = await health.migrations();
      expect(migrations.shipped).toBeGreaterThan(0);
      expect(migrations.applied).toBe(migrations.shipped);
      const settings = await health.settingsChecks();
      expect(settings.filter((check) => !check.ok)).toEqual([]);
    });

    it('a store marked corrupt is refused by new connections until the mark is cleared', async () => {
      const { health } = store.storage;
      await health.markCorrupt('page 7: btree is broken');
      await expect(store.connect()).rejects.toMatchObject({ code: 'store_corrupt' });
      await health.clearCorruptionMark();
      const other = await store.connect();
      expect(await other.health.integrityProblems()).toEqual([]);
    });

    it('clearing a mark that is not there is harmless; checks from another connection agree', async () => {
      await store.storage.health.clearCorruptionMark();
      const other = await store.connect();
      expect(await other.health.migrations()).toEqual(await store.storage.health.migrations());
      expect(await other.health.integrityProblems()).toEqual([]);
    });
  });
}
