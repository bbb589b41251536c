/**
 * Fair share on a real PostgreSQL store: daemons (MailboxShare over the database leases and the
 * daemons table, each with its own pool and holder id) settle at an even share, give back their
 * excess when one joins, take over a leaving daemon's mailboxes, and never hold one mailbox twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailboxShare } from '../../src/app/mailbox-share.js';
import { openPostgres, type PostgresStore } from '../../src/adapters/postgres/database.js';
import { postgresDaemons } from '../../src/adapters/postgres/pg-daemons.js';
import { postgresLeases } from '../../src/adapters/postgres/pg-leases.js';
import { postgresStorage } from '../../src/adapters/postgres/postgres-storage.js';
import { systemClock } from '../../src/adapters/system/clock.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const MAILBOXES = 30;
const STALE_MS = 3_000;

describe('fair share on PostgreSQL', () => {
  let database: TestDatabase;
  const stores: PostgresStore[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    const store = await openPostgres(database.url, { poolSize: 2 });
    stores.push(store);
    const { mailboxes } = postgresStorage(store);
    for (let index = 0; index < MAILBOXES; index += 1) {
      await mailboxes.insert({ id: `mbx_${String(index).padStart(2, '0')}`, emailAddress: `m${index}@example.com`, name: null, gmailApiUrl: null, oauthUrl: null, scope: null }, 1_000);
    }
    await store.pool.query(`update mailboxes set status = 'active'`);
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await database.drop();
  });

  async function daemon(index: number): Promise<MailboxShare> {
    const store = await openPostgres(database.url, { poolSize: 3 });
    stores.push(store);
    const holderId = `host-${index}:${90_000 + index}:${index.toString(16).padStart(4, '0')}`;
    const leases = postgresLeases(store, { holderId });
    return new MailboxShare({ mailboxes: postgresStorage(store).mailboxes, daemons: postgresDaemons(store.pool), leases, clock: systemClock }, { member: { holderId, host: `host-${index}`, pid: 90_000 + index, startedAt: Date.now() }, livenessMs: STALE_MS, staleMs: STALE_MS });
  }

  const rounds = async (shares: MailboxShare[], count: number) => {
    for (let round = 0; round < count; round += 1) for (const share of shares) await share.tick();
  };

  const heldBy = async () => (await stores[0].pool.query<{ holder_id: string; n: string }>('select holder_id, count(*)::text as n from leases group by holder_id order by holder_id')).rows.map((row) => Number(row.n));

  it('3 daemons settle at 10 each; a 4th joins and the others give back; one leaves and the rest take over', async () => {
    const shares = await Promise.all([0, 1, 2].map(daemon));
    await rounds(shares, 3);
    expect(await heldBy()).toEqual([10, 10, 10]);
    const total = new Set(shares.flatMap((share) => share.heldIds()));
    expect(total.size).toBe(MAILBOXES);

    shares.push(await daemon(3));
    await rounds(shares, 4);
    // Each at most ceil(30 / 4) = 8, every mailbox held: the joiner gets what the others gave back.
    const four = await heldBy();
    expect(four).toHaveLength(4);
    expect(Math.max(...four)).toBe(8);
    expect(four.reduce((sum, n) => sum + n, 0)).toBe(MAILBOXES);

    const leaving = shares.shift()!;
    const had = leaving.heldIds().length;
    expect(await leaving.leave()).toHaveLength(had);
    await rounds(shares, 3);
    expect(await heldBy()).toEqual([10, 10, 10]);
    for (const share of shares) await share.leave();
    expect(await heldBy()).toEqual([]);
  });
});
