/**
 * Many daemons on one PostgreSQL store, abused: 3 `mailmon daemon run` on 30 fixture mailboxes
 * that change all the time, with a registered endpoint; a random daemon is SIGKILLed at random
 * moments and started again. Afterwards every mailbox equals the server, the log is gap-free
 * with exactly one event per change, every event reached the endpoint at least once and in
 * order per thread, and no two daemons ever held one mailbox at once. Then: a daemon's database
 * connection terminated mid-transaction, and two daemons paused across a lease expiry.
 * MAILMON_PG_CHAOS_KILLS / _MAILBOXES / _SEED scale it (npm run test:chaos).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailmonEvent } from '../../src/core/events.js';
import { runCli, tempHome } from '../support/cli.js';
import { startServer, type TestServer } from '../support/http-server.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { divergent, leaseHolds, logProblems, mutate, overlaps, prng, startFleet, storedEvents, until, type Fleet } from '../support/pg-daemons.js';

const KILLS = Number(process.env.MAILMON_PG_CHAOS_KILLS ?? 20);
const MAILBOXES = Number(process.env.MAILMON_PG_CHAOS_MAILBOXES ?? 30);
const SEED = Number(process.env.MAILMON_PG_CHAOS_SEED ?? Date.now() % 100_000);
const LEASE_TTL_MS = 2_000;

const databases: TestDatabase[] = [];
const fleets: Fleet[] = [];
afterAll(async () => {
  for (const fleet of fleets) await fleet.close().catch(() => undefined);
  for (const database of databases) await database.drop().catch(() => undefined);
});

async function fleetOf(options: Omit<Parameters<typeof startFleet>[0], 'url'>): Promise<Fleet> {
  const database = await createTestDatabase();
  databases.push(database);
  const fleet = await startFleet({ url: database.url, ...options });
  fleets.push(fleet);
  return fleet;
}

/** Runs `work` while mutating the fleet's mailboxes every ~50-150 ms. */
async function whileMutating<T>(fleet: Fleet, random: () => number, work: () => Promise<T>): Promise<T> {
  let mutating = true;
  const loop = (async () => {
    while (mutating) {
      // A change racing another (a message deleted meanwhile) is refused by the fixture: just the next one.
      await mutate(fleet, random).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 50 + random() * 100));
    }
  })();
  try {
    return await work();
  } finally {
    mutating = false;
    await loop;
  }
}

async function converged(fleet: Fleet): Promise<void> {
  await until('every mailbox equals the server', async () => (await divergent(fleet)).length === 0, 120_000, 500);
}

describe('many daemons on one PostgreSQL store', () => {
  let receiver: TestServer;
  beforeAll(async () => {
    receiver = await startServer((_request, response) => response.writeHead(204).end());
  });
  afterAll(async () => receiver?.close());

  it(`${KILLS} SIGKILLs of random daemons (3 daemons, ${MAILBOXES} mailboxes): state, events, deliveries and lease holds all hold up`, async () => {
    const random = prng(SEED);
    const fleet = await fleetOf({ mailboxes: MAILBOXES, daemons: 3, leaseTtlMs: LEASE_TTL_MS, seed: SEED });
    const added = await runCli(['webhooks', 'add', `${receiver.url}/hooks`, '--events', 'message.*', '--skip-verification', '--json'], { home: tempHome('mailmon-chaos-cli-'), env: fleet.env });
    expect(added.exitCode, added.stderr).toBe(0);
    for (let index = 0; index < 3; index += 1) fleet.start(index);
    let kills = 0;
    await whileMutating(fleet, random, async () => {
      for (; kills < KILLS; kills += 1) {
        await new Promise((resolve) => setTimeout(resolve, 300 + random() * 1_200));
        const victim = Math.floor(random() * 3);
        await fleet.kill(victim);
        await new Promise((resolve) => setTimeout(resolve, random() * 600));
        fleet.start(victim);
      }
    });
    await converged(fleet);
    const events = await storedEvents(fleet);
    await until('every event delivered', () => {
      const received = new Set(receiver.requests.map((request) => (JSON.parse(request.body) as MailmonEvent).id));
      // The endpoint subscribes to message.* (mailbox.* events are not for it).
      return events.filter((event) => event.type.startsWith('message.')).every((event) => received.has(event.id));
    }, 120_000, 500).catch(async (error: Error) => {
      const states = await fleet.query<{ status: string; n: string }>(`select status, count(*)::text as n from deliveries group by status`);
      throw new Error(`${error.message}: ${events.length} events, ${receiver.requests.length} received, deliveries ${JSON.stringify(states)}`);
    });
    const end = Date.now();
    await fleet.stopAll();
    expect(await logProblems(fleet, events), `seed ${SEED}`).toEqual([]);
    const delivered = receiver.requests.map((request) => JSON.parse(request.body) as MailmonEvent);
    expect(threadOrderProblems(delivered), `seed ${SEED}`).toEqual([]);
    const holds = leaseHolds(fleet, end);
    const overlapping = overlaps(holds);
    expect(overlapping.slice(0, 3), `seed ${SEED}`).toEqual([]);
    expect(holds.length).toBeGreaterThan(MAILBOXES);
    const duplicates = delivered.length - new Set(delivered.map((event) => event.id)).size;
    console.info(`pg chaos (seed ${SEED}): ${kills} kills, ${events.length} events, ${delivered.length} deliveries (${duplicates} duplicates), ${holds.length} lease holds, ${overlapping.length} overlaps`);
  }, 900_000);

  it('a daemon whose database connection is terminated mid-transaction reconnects; nothing partial, nothing lost', async () => {
    const random = prng(SEED + 1);
    const fleet = await fleetOf({ mailboxes: 4, messages: 40, daemons: 1, leaseTtlMs: LEASE_TTL_MS, seed: SEED + 1 });
    fleet.start(0);
    // Up and syncing first, so the terminations hit a daemon at work rather than one starting.
    await converged(fleet);
    let terminated = 0;
    await whileMutating(fleet, random, async () => {
      const stopAt = Date.now() + 8_000;
      while (Date.now() < stopAt) {
        // Prefer a backend inside a transaction: that is where a partial commit would come from.
        const rows = await fleet.query<{ pid: number }>(`select pg_terminate_backend(pid) as ok, pid from pg_stat_activity where datname = current_database() and application_name like 'mailmon %' and pid <> pg_backend_pid() and state in ('idle in transaction', 'active')`);
        terminated += rows.length;
        await new Promise((resolve) => setTimeout(resolve, 20 + random() * 200));
      }
    });
    const cut = Date.now();
    expect(terminated, 'some backends must have been terminated').toBeGreaterThan(0);
    expect(fleet.daemons[0].child.exitCode, 'the daemon survives its connections being cut').toBeNull();
    await converged(fleet);
    const events = await storedEvents(fleet);
    expect(await logProblems(fleet, events)).toEqual([]);
    console.info(`pg terminate (seed ${SEED + 1}): ${terminated} backends terminated, ${events.length} events, converged ${Date.now() - cut} ms after the last`);
    await fleet.stopAll();
  }, 300_000);

  it('two daemons paused across a lease expiry (SIGSTOP/SIGCONT): the stale one cannot commit', async () => {
    const random = prng(SEED + 2);
    const fleet = await fleetOf({ mailboxes: 6, messages: 30, daemons: 3, leaseTtlMs: LEASE_TTL_MS, seed: SEED + 2 });
    for (let index = 0; index < 3; index += 1) fleet.start(index);
    await converged(fleet);
    await fleet.server.control.setFaults({ latencyMs: 150 });
    await whileMutating(fleet, random, async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const index of [0, 1]) fleet.daemons[index].child.kill('SIGSTOP');
      // Well past the expiry: the third daemon takes their mailboxes over.
      await new Promise((resolve) => setTimeout(resolve, LEASE_TTL_MS * 3));
      for (const index of [0, 1]) fleet.daemons[index].child.kill('SIGCONT');
      await new Promise((resolve) => setTimeout(resolve, LEASE_TTL_MS * 2));
    });
    await fleet.server.control.clearFaults();
    await converged(fleet);
    const events = await storedEvents(fleet);
    expect(await logProblems(fleet, events)).toEqual([]);
    // Fencing: per mailbox, successful runs finish in epoch order — no commit under an epoch that was taken over.
    const runs = await fleet.query<{ mailbox_id: string; lease_epoch: string; finished_at: string }>(`select mailbox_id, lease_epoch::text, finished_at::text from sync_runs where status = 'succeeded' order by mailbox_id, finished_at`);
    const stale = runs.filter((run, index) => index > 0 && runs[index - 1].mailbox_id === run.mailbox_id && Number(run.lease_epoch) < Number(runs[index - 1].lease_epoch));
    expect(stale).toEqual([]);
    // A stopped process cannot learn it lost its lease until it runs again, so its own record of
    // the hold ends late: what matters is that it committed nothing under the lost epoch (above).
    const end = Date.now();
    await fleet.stopAll();
    console.info(`pg SIGSTOP (seed ${SEED + 2}): ${overlaps(leaseHolds(fleet, end)).length} holds recorded late by the paused daemons, ${stale.length} stale commits`);
  }, 300_000);
});

/** For each thread, the first delivery of each event arrives in sequence order. */
function threadOrderProblems(delivered: MailmonEvent[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const last = new Map<string, number>();
  for (const event of delivered) {
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    const thread = `${event.mailboxId}/${(event.data as { threadId?: string }).threadId ?? ''}`;
    if ((last.get(thread) ?? 0) > event.sequence) problems.push(`${thread}: ${event.sequence} after ${last.get(thread)}`);
    last.set(thread, Math.max(last.get(thread) ?? 0, event.sequence));
  }
  return problems;
}

