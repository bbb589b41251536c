/** The PostgreSQL endpoints and delivery queue report a lost store as MailmonErrors, not driver errors. */
import { expect, it } from 'vitest';
import { openPostgres } from '../../src/adapters/postgres/database.js';
import { postgresDeliveryQueue } from '../../src/adapters/postgres/pg-delivery-queue.js';
import { postgresEndpoints } from '../../src/adapters/postgres/pg-endpoints.js';
import { createTestDatabase } from '../support/postgres.js';

it('a store whose connections are dropped: every call fails with a store_ code, the URL shown without its password', async () => {
  const database = await createTestDatabase();
  const store = await openPostgres(database.url, { poolSize: 2 });
  const deliveries = postgresDeliveryQueue(store);
  const endpoints = postgresEndpoints(store);
  await endpoints.list();
  await database.drop();
  try {
    for (const call of [() => deliveries.get('dlv_x'), () => deliveries.fanOut(1, () => 'dlv_y'), () => endpoints.list()]) {
      const error = await call().then(() => undefined, (thrown: unknown) => thrown);
      expect(error).toMatchObject({ code: expect.stringMatching(/^store_(connection_lost|database_missing)$/) });
      expect(String((error as Error).message)).not.toContain('mailmon-test');
    }
  } finally {
    await store.close();
  }
});
