/**
 * The PostgreSQL StoreHealth checks doctor shows for a shared store, each seen failing: a missing
 * table (integrity), the wake-up trigger disabled, this machine's clock off the database's, a
 * delivery claim no daemon released; and the corruption mark that openPostgres refuses unless
 * asked to ignore it (doctor).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres, type PostgresStore } from '../../src/adapters/postgres/database.js';
import { postgresStoreHealth } from '../../src/adapters/postgres/pg-store-health.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

let database: TestDatabase;
let store: PostgresStore;

beforeEach(async () => {
  database = await createTestDatabase();
  store = await openPostgres(database.url, { poolSize: 2 });
});
afterEach(async () => {
  await store.close();
  await database.drop();
});

const check = async (name: string, health = postgresStoreHealth(store)) => (await health.settingsChecks()).find((found) => found.name === name);

async function claim(claimedAgoMs: number): Promise<void> {
  const now = Date.now();
  await store.pool.query(`insert into webhook_endpoints (id, url, headers, created_at, updated_at) values ('ep_1', 'http://127.0.0.1:1/', '{}', $1, $1) on conflict do nothing`, [now]);
  await store.pool.query(`insert into deliveries (id, endpoint_id, event_sequence, event_id, ordering_key, attempt, status, scheduled_at, claimed_by, claimed_at)
    values ($1, 'ep_1', 1, 'evt_1', 'thread', 1, 'in_flight', $2, 'daemon-a', $2)`, [`dlv_${claimedAgoMs}`, now - claimedAgoMs]);
}

describe('PostgreSQL store health', () => {
  it('reports the engine, and every check passes on a fresh store', async () => {
    const health = postgresStoreHealth(store);
    expect(await health.engine()).toMatchObject({ name: 'postgresql', version: expect.stringMatching(/^\d+/) });
    expect((await health.settingsChecks()).map((found) => [found.name, found.ok])).toEqual([['event wake-ups', true], ['clock skew', true], ['delivery claims', true]]);
  });

  it('a missing table is an integrity problem', async () => {
    await store.pool.query('drop table api_keys');
    expect(await postgresStoreHealth(store).integrityProblems()).toEqual(['table api_keys is missing']);
  });

  it('a disabled wake-up trigger fails its check, saying how to enable it', async () => {
    await store.pool.query('alter table events disable trigger events_appended');
    expect(await check('event wake-ups')).toMatchObject({ ok: false, detail: expect.stringContaining('disabled'), fix: expect.stringContaining('ENABLE TRIGGER') });
  });

  it('a clock off the database by more than the limit fails, saying by how much and which way', async () => {
    const ahead = postgresStoreHealth(store, { now: () => Date.now() + 30_000 });
    expect(await check('clock skew', ahead)).toMatchObject({ ok: false, detail: expect.stringMatching(/is \d+ ms ahead of the database/), fix: expect.stringContaining('NTP') });
    const behind = postgresStoreHealth(store, { now: () => Date.now() - 30_000 });
    expect(await check('clock skew', behind)).toMatchObject({ ok: false, detail: expect.stringContaining('behind') });
  });

  it('only claims older than the stuck age fail the claims check', async () => {
    await claim(60_000);
    const health = postgresStoreHealth(store, { stuckClaimMs: 10 * 60_000 });
    expect(await check('delivery claims', health)).toMatchObject({ ok: true });
    await claim(20 * 60_000);
    expect(await check('delivery claims', health)).toMatchObject({ ok: false, detail: expect.stringContaining('1 delivery has been claimed for over 10 min'), fix: expect.stringContaining('daemon') });
  });

  it('a store marked corrupt is refused with store_corrupt, but doctor can open it and clear the mark', async () => {
    await postgresStoreHealth(store).markCorrupt('table events is missing');
    await expect(openPostgres(database.url, { poolSize: 1 })).rejects.toMatchObject({ code: 'store_corrupt', message: expect.stringContaining('table events is missing') });
    const doctor = await openPostgres(database.url, { poolSize: 1, ignoreCorruptionMark: true });
    await postgresStoreHealth(doctor).clearCorruptionMark();
    await doctor.close();
    await (await openPostgres(database.url, { poolSize: 1 })).close();
  });
});
