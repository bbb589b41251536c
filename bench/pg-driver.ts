/**
 * Which PostgreSQL driver under drizzle-orm: `pg` (node-postgres) or `postgres` (postgres.js).
 * Starts a throwaway server (test/support/postgres-server.ts) and measures, per driver, through
 * drizzle: event-sized rows (~1 KB JSON body) inserted in transactions of 500 — one multi-row
 * INSERT per 100 rows, and one INSERT per row — and the LISTEN/NOTIFY round trip between two
 * connections. Median of 3 runs per figure; the drivers alternate within each run.
 *
 *   npx tsx bench/pg-driver.ts [--rows 5000]
 */
import { performance } from 'node:perf_hooks';
import { bigint, pgTable, text } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePostgresJs } from 'drizzle-orm/postgres-js';
import pg from 'pg';
import postgres from 'postgres';
import { startTestPostgres } from '../test/support/postgres-server.js';

const rowsArg = process.argv.indexOf('--rows');
const ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 5000;
const TX_ROWS = 500;
const STATEMENT_ROWS = 100;
const NOTIFY_TRIPS = 200;

const benchEvents = pgTable('bench_events', {
  sequence: bigint('sequence', { mode: 'number' }).primaryKey(),
  id: text('id').notNull(),
  type: text('type').notNull(),
  mailboxId: text('mailbox_id').notNull(),
  orderingKey: text('ordering_key').notNull(),
  occurredAt: bigint('occurred_at', { mode: 'number' }).notNull(),
  body: text('body').notNull(),
});
type Row = typeof benchEvents.$inferInsert;
type Db = ReturnType<typeof drizzlePg> | ReturnType<typeof drizzlePostgresJs>;

interface Driver {
  name: string;
  db: Db;
  listen(channel: string, onPayload: (payload: string) => void): Promise<void>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

function eventRow(sequence: number): Row {
  const body = JSON.stringify({ id: `evt_${sequence}`, type: 'message.created', data: { subject: 'x'.repeat(600), labels: ['INBOX', 'UNREAD'], snippet: 'y'.repeat(200) } });
  return { sequence, id: `evt_${sequence}`, type: 'message.created', mailboxId: 'mbx_1', orderingKey: `thread_${sequence % 50}`, occurredAt: Date.now(), body };
}

async function pgDriver(url: string): Promise<Driver> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const listener = new pg.Client({ connectionString: url });
  await listener.connect();
  return {
    name: 'pg 8.23.1',
    db: drizzlePg(pool),
    listen: async (channel, onPayload) => {
      listener.on('notification', (message) => onPayload(message.payload ?? ''));
      await listener.query(`listen ${channel}`);
    },
    notify: async (channel, payload) => void (await pool.query('select pg_notify($1, $2)', [channel, payload])),
    close: async () => {
      await listener.end();
      await pool.end();
    },
  };
}

async function postgresJsDriver(url: string): Promise<Driver> {
  const client = postgres(url, { max: 4, onnotice: () => undefined });
  return {
    name: 'postgres 3.4.9',
    db: drizzlePostgresJs(client),
    listen: async (channel, onPayload) => void (await client.listen(channel, onPayload)),
    notify: async (channel, payload) => void (await client.notify(channel, payload)),
    close: () => client.end(),
  };
}

async function timed(run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

async function insertAll(db: Db, perStatement: number): Promise<void> {
  await db.execute(sql`truncate bench_events`);
  for (let first = 0; first < ROWS; first += TX_ROWS) {
    await (db as ReturnType<typeof drizzlePg>).transaction(async (tx) => {
      for (let start = first; start < first + TX_ROWS; start += perStatement) {
        const rows = Array.from({ length: perStatement }, (_, index) => eventRow(start + index + 1));
        await tx.insert(benchEvents).values(rows);
      }
    });
  }
}

async function notifyRoundTrips(driver: Driver): Promise<number[]> {
  let waiting: (() => void) | undefined;
  await driver.listen('bench_wake', () => waiting?.());
  const trips: number[] = [];
  for (let trip = 0; trip < NOTIFY_TRIPS; trip++) {
    const arrived = new Promise<void>((resolve) => (waiting = resolve));
    trips.push(await timed(async () => {
      await driver.notify('bench_wake', String(trip));
      await arrived;
    }));
  }
  return trips;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))];

interface Figures {
  batched: number[];
  single: number[];
}

/** Insert figures for every driver, the order alternating between runs so neither always goes first. */
async function measureInserts(drivers: Driver[]): Promise<Map<Driver, Figures>> {
  const figures = new Map(drivers.map((driver) => [driver, { batched: [] as number[], single: [] as number[] }]));
  for (let run = 0; run < 3; run++) {
    for (const driver of run % 2 === 0 ? drivers : [...drivers].reverse()) {
      figures.get(driver)!.batched.push(await timed(() => insertAll(driver.db, STATEMENT_ROWS)));
      figures.get(driver)!.single.push(await timed(() => insertAll(driver.db, 1)));
    }
  }
  return figures;
}

const rate = (ms: number) => `${Math.round(ms)} ms (${Math.round(ROWS / (ms / 1000))} rows/s)`;

async function report(driver: Driver, figures: Figures): Promise<Record<string, string>> {
  const trips = await notifyRoundTrips(driver);
  return {
    driver: driver.name,
    [`${ROWS} rows, ${STATEMENT_ROWS}/insert`]: rate(median(figures.batched)),
    [`${ROWS} rows, 1/insert`]: rate(median(figures.single)),
    'notify p50 / p95': `${median(trips).toFixed(2)} / ${quantile(trips, 0.95).toFixed(2)} ms`,
  };
}

const server = await startTestPostgres();
console.log(`server started in ${server.startMs} ms (${server.cluster} cluster)`);
const drivers: Driver[] = [];
try {
  drivers.push(await pgDriver(server.adminUrl), await postgresJsDriver(server.adminUrl));
  await drivers[0].db.execute(sql`create table bench_events (sequence bigint primary key, id text not null, type text not null, mailbox_id text not null, ordering_key text not null, occurred_at bigint not null, body text not null)`);
  const figures = await measureInserts(drivers);
  const rows = [];
  for (const driver of drivers) rows.push(await report(driver, figures.get(driver)!));
  console.table(rows);
} finally {
  await Promise.all(drivers.map((driver) => driver.close()));
  await server.stop();
}
