/**
 * PostgreSQL benchmarks (run by `npm run bench` as "postgres", or alone:
 * `npx tsx bench/pg-scale.ts [--quick]`), on a throwaway server (test/support/postgres-server.ts):
 *  - commit: sync commits of new messages through the SyncCommit port vs a raw `pg` loop
 *    inserting exactly the rows those commits wrote (messages, threads, events, the cursor
 *    update), in the same transaction sizes, the two alternating commit by commit so that both
 *    see the same load — the ratio is what the port's diffing and fencing cost;
 *  - scale-out: 200 fixture mailboxes, 1 vs 2 vs 4 `mailmon daemon run` on one database: time
 *    until every mailbox is synced, CPU of the daemons, the fixture server and PostgreSQL, and
 *    how busy the whole machine was (other jobs included);
 *  - failover: SIGKILL one of 3 daemons; time until each of its mailboxes syncs a new change.
 * The last stdout line is the JSON array of result rows (bench/run.mjs records them).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { startTestPostgres, type TestPostgresServer } from '../test/support/postgres-server.js';
import { startFleet, until, type Fleet } from '../test/support/pg-daemons.js';
import { openPostgres, type PostgresStore } from '../src/adapters/postgres/database.js';
import { postgresStorageFor } from '../src/cli/postgres-storage.js';
import type { MessageState } from '../src/core/message-state.js';

const QUICK = process.argv.includes('--quick');
const rows: Array<Record<string, unknown>> = [];
const log = (message: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const summary = (values: number[]) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length });

let databaseCounter = 0;
async function freshDatabase(server: TestPostgresServer): Promise<string> {
  const name = `bench_${process.pid}_${++databaseCounter}`;
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(server.adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function cpuMsOf(pids: number[]): number {
  const ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += ((Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 1000) / ticks;
    } catch {
      // Gone: counted up to its last sample by the caller.
    }
  }
  return total;
}

function statOf(pid: number): { comm: string; ppid: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) };
  } catch {
    return undefined;
  }
}

/**
 * Our server's processes only (the machine may run other PostgreSQL servers): the postmaster,
 * a child of this process, and its backends. A backend that exits moves its CPU time into the
 * postmaster's children time, which cpuMsOf counts, so the sum never goes backwards.
 */
function postgresPids(): number[] {
  const all = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map((name) => ({ pid: Number(name), stat: statOf(Number(name)) }));
  const postmasters = new Set(all.filter((entry) => entry.stat?.comm === 'postgres' && entry.stat.ppid === process.pid).map((entry) => entry.pid));
  return all.filter((entry) => postmasters.has(entry.pid) || (entry.stat && postmasters.has(entry.stat.ppid))).map((entry) => entry.pid);
}

/** CPU time of every process on the machine (ours and anyone else's) since boot, from /proc/stat. */
function machineCpuMs(): number {
  const ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
  return ((fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]) * 1000) / ticks;
}

const ownCpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** Stops the fleet and, unless --keep-homes, removes its daemons' temp homes (their logs show every claim and sync). */
async function closeFleet(fleet: Fleet): Promise<void> {
  await fleet.close();
  if (process.argv.includes('--keep-homes')) return;
  for (const slot of fleet.daemons) fs.rmSync(path.dirname(slot.home), { recursive: true, force: true });
}

async function syncedCount(fleet: Fleet): Promise<number> {
  const [row] = await fleet.query<{ n: string }>(`select count(*)::text as n from mailboxes where status = 'active' and history_id is not null`);
  return Number(row.n);
}

function benchMessage(index: number): MessageState {
  const id = index.toString(16).padStart(16, '0');
  return {
    providerMessageId: id, providerThreadId: (index - (index % 3)).toString(16).padStart(16, '0'), labelIds: ['INBOX', 'UNREAD', 'CATEGORY_PERSONAL'], subject: `Benchmark message ${index}`,
    from: { name: 'Bench Sender', address: 'sender@example.com' }, to: [{ name: null, address: 'bench@example.com' }], cc: [], dateHeader: 'Tue, 1 Dec 2026 10:00:00 +0000',
    messageIdHeader: `<${id}@example.com>`, inReplyTo: null, references: null, snippet: `A snippet of message ${index} `.repeat(4), internalDate: 1_790_000_000_000 + index, sizeEstimate: 4_096,
    historyId: String(1_000 + index), attachmentCount: 0, attachmentNames: [],
  };
}

const TABLES_WRITTEN = ['messages', 'threads', 'events'];
type Batch = Record<string, { columns: string[]; rows: unknown[][] }>;
const BENCH_MAILBOX = { id: 'mbx_bench', emailAddress: 'bench@example.com' };

/** Rows a commit wrote, per table, as column lists and values (read back to replay them raw). */
async function rowsOf(pool: pg.Pool, table: string, where: string, values: unknown[]): Promise<{ columns: string[]; rows: unknown[][] }> {
  const result = await pool.query({ text: `select * from "${table}" where ${where}`, values, rowMode: 'array' });
  return { columns: result.fields.map((field) => field.name), rows: result.rows as unknown[][] };
}

async function rawInsert(client: pg.PoolClient, table: string, data: { columns: string[]; rows: unknown[][] }): Promise<void> {
  const width = data.columns.length;
  for (let start = 0; start < data.rows.length; start += 100) {
    const chunk = data.rows.slice(start, start + 100);
    const values = chunk.map((_, row) => `(${data.columns.map((_column, column) => `$${row * width + column + 1}`).join(', ')})`).join(', ');
    await client.query(`insert into "${table}" (${data.columns.map((column) => `"${column}"`).join(', ')}) values ${values}`, chunk.flat().map((value) => (value !== null && typeof value === 'object' ? JSON.stringify(value) : value)));
  }
}

/** Commit number `commit` of `size` new messages through the port: its time, and the rows it wrote (read back untimed). */
async function portCommit(store: PostgresStore, epoch: number, commit: number, size: number): Promise<{ ms: number; batch: Batch }> {
  const remote = Array.from({ length: size }, (_, index) => ({ kind: 'present' as const, state: benchMessage(commit * size + index) }));
  const started = performance.now();
  const result = await postgresStorageFor(store).syncCommit.commit({ mailbox: BENCH_MAILBOX, epoch, remote, emitEvents: true, now: 2_000 + commit, cursor: String(10_000 + commit) });
  const ms = performance.now() - started;
  const ids = remote.map((message) => message.state.providerMessageId);
  const threads = [...new Set(remote.map((message) => message.state.providerThreadId))];
  const batch = {
    messages: await rowsOf(store.pool, 'messages', 'provider_message_id = any($1)', [ids]),
    threads: await rowsOf(store.pool, 'threads', 'provider_thread_id = any($1)', [threads]),
    events: await rowsOf(store.pool, 'events', 'sequence = any($1)', [result.events.map((event) => event.sequence)]),
  };
  return { ms, batch };
}

/** The same rows in one transaction, by hand: its time. */
async function rawCommit(store: PostgresStore, batch: Batch, commit: number): Promise<number> {
  const started = performance.now();
  const client = await store.pool.connect();
  try {
    await client.query('begin');
    // Threads are upserted by the port: replay them the same way (a thread seen in an earlier batch exists).
    await client.query(`delete from threads where provider_thread_id = any($1)`, [batch.threads.rows.map((row) => row[batch.threads.columns.indexOf('provider_thread_id')])]);
    for (const table of TABLES_WRITTEN) await rawInsert(client, table, batch[table]);
    await client.query('update mailboxes set history_id = $1, updated_at = $2 where id = $3', [String(10_000 + commit), 2_000 + commit, BENCH_MAILBOX.id]);
    await client.query('commit');
  } finally {
    client.release();
  }
  return performance.now() - started;
}

/** One run on two fresh databases, port and raw commits alternating, so that both see the same load. */
async function commitRun(server: TestPostgresServer, commits: number, size: number): Promise<{ portMs: number; rawMs: number }> {
  const port = await openPostgres(await freshDatabase(server));
  const raw = await openPostgres(await freshDatabase(server));
  try {
    for (const store of [port, raw]) await postgresStorageFor(store).mailboxes.insert({ ...BENCH_MAILBOX, name: null, gmailApiUrl: null, oauthUrl: null, scope: null }, 1_000);
    const epoch = await postgresStorageFor(port).mailboxes.bumpLeaseEpoch(BENCH_MAILBOX.id);
    const total = { portMs: 0, rawMs: 0 };
    for (let commit = 0; commit < commits; commit += 1) {
      const { ms, batch } = await portCommit(port, epoch, commit, size);
      total.portMs += ms;
      total.rawMs += await rawCommit(raw, batch, commit);
    }
    return total;
  } finally {
    await port.close();
    await raw.close();
  }
}

async function commitThroughput(server: TestPostgresServer): Promise<void> {
  const commits = QUICK ? 6 : 20;
  const runs = QUICK ? 2 : 5;
  const size = 500;
  log(`commit: ${commits} commits of ${size} new messages (port) vs the same rows raw, same transaction sizes, alternating, ${runs} runs`);
  const ratios: number[] = [];
  const portRates: number[] = [];
  const rawRates: number[] = [];
  // Run 0 warms the server and the JIT up and is not counted.
  for (let run = 0; run <= runs; run += 1) {
    const { portMs, rawMs } = await commitRun(server, commits, size);
    if (run === 0) continue;
    const messages = commits * size;
    portRates.push(messages / (portMs / 1000));
    rawRates.push(messages / (rawMs / 1000));
    ratios.push(rawMs / portMs);
    log(`  run ${run}: port ${(messages / (portMs / 1000)).toFixed(0)} msg/s, raw ${(messages / (rawMs / 1000)).toFixed(0)} msg/s, ratio ${(rawMs / portMs).toFixed(2)}, load ${os.loadavg()[0].toFixed(1)}`);
  }
  rows.push({ benchmark: 'postgres', metric: `sync commit throughput (${size} new messages per commit)`, unit: 'msg/s', value: summary(portRates), baseline: summary(rawRates), ratio: summary(ratios), target: { op: '>=', value: 0.8, of: 'ratio' },
    note: `SyncCommit.commit on PostgreSQL (diff inside the transaction, epoch check, events, cursor) vs a raw pg loop inserting the rows those commits wrote, 100 rows per INSERT, one transaction per commit, the two alternating commit by commit; load ${os.loadavg().map((value) => value.toFixed(1)).join(' ')}` });
}

/**
 * The default lease expiry. A short one (5 s) makes a daemon starved of CPU on a loaded machine
 * miss renewals: its leases expire, others take them over mid-sync, and the figure measures
 * that churn rather than the scaling.
 */
const SCALE_LEASE_TTL_MS = 30_000;

async function scaleOut(server: TestPostgresServer): Promise<void> {
  const mailboxes = QUICK ? 40 : 200;
  for (const daemons of [1, 2, 4]) {
    log(`scale-out: ${mailboxes} mailboxes, ${daemons} daemon(s)`);
    const fleet = await startFleet({ url: await freshDatabase(server), mailboxes, messages: 20, daemons, leaseTtlMs: SCALE_LEASE_TTL_MS, pollInterval: '30s' });
    try {
      const pgBefore = cpuMsOf(postgresPids());
      const fixtureBefore = ownCpuMs();
      const machineBefore = machineCpuMs();
      const started = performance.now();
      for (let index = 0; index < daemons; index += 1) fleet.start(index);
      await until('all synced', async () => (await syncedCount(fleet)) === mailboxes, 600_000, 200);
      const seconds = (performance.now() - started) / 1000;
      const perDaemon = fleet.daemons.map((slot) => cpuMsOf([slot.child.pid!]) / 1000);
      const cpu = { daemons: perDaemon.reduce((a, b) => a + b, 0), fixture: (ownCpuMs() - fixtureBefore) / 1000, postgres: (cpuMsOf(postgresPids()) - pgBefore) / 1000 };
      // Of the cores' capacity over the interval, how much anything on the machine used (other sessions included).
      const busy = (machineCpuMs() - machineBefore) / 1000 / (seconds * os.cpus().length);
      const load = os.loadavg().map((value) => value.toFixed(1)).join(' ');
      rows.push({ benchmark: 'postgres', metric: `scale-out ${mailboxes} mailboxes, ${daemons} daemon(s): time until all synced`, unit: 's', value: summary([seconds]),
        note: `${(mailboxes / seconds).toFixed(1)} mailboxes/s; CPU s: daemons ${cpu.daemons.toFixed(1)} (${perDaemon.map((value) => value.toFixed(1)).join(' + ')}), fixture server (the bench process) ${cpu.fixture.toFixed(1)}, PostgreSQL ${cpu.postgres.toFixed(1)}; machine ${(busy * 100).toFixed(0)} % busy, load ${load}` });
      log(`  ${daemons} daemon(s): ${seconds.toFixed(1)} s, ${(mailboxes / seconds).toFixed(1)} mailboxes/s; CPU s daemons ${cpu.daemons.toFixed(1)} (${perDaemon.map((value) => value.toFixed(1)).join(' + ')}), fixture ${cpu.fixture.toFixed(1)}, postgres ${cpu.postgres.toFixed(1)}; machine ${(busy * 100).toFixed(0)} % busy, load ${load}`);
    } finally {
      await closeFleet(fleet);
    }
  }
}

async function failover(server: TestPostgresServer): Promise<void> {
  const leaseTtlMs = 5_000;
  const mailboxes = QUICK ? 12 : 30;
  log(`failover: ${mailboxes} mailboxes, 3 daemons, lease expiry ${leaseTtlMs} ms`);
  const fleet = await startFleet({ url: await freshDatabase(server), mailboxes, messages: 10, daemons: 3, leaseTtlMs, pollInterval: '300ms' });
  try {
    for (let index = 0; index < 3; index += 1) fleet.start(index);
    await until('all synced', async () => (await syncedCount(fleet)) === mailboxes, 300_000, 200);
    await until('every daemon holds its share', async () => (await fleet.query<{ n: string }>(`select count(distinct holder_id)::text as n from leases`))[0]?.n === '3', 60_000, 200);
    const victim = fleet.daemons[0].child.pid!;
    const held = await fleet.query<{ mailbox_id: string; email: string }>(`select l.mailbox_id, m.email_address as email from leases l join mailboxes m on m.id = l.mailbox_id where l.holder_id like $1`, [`%:${victim}:%`]);
    await fleet.kill(0);
    const killedAt = performance.now();
    const sent = await Promise.all(held.map(async (row) => ({ ...row, id: (await fleet.server.control.send({ mailbox: row.email, subject: 'failover' })).id })));
    const recovered: number[] = [];
    await until('the victim\'s mailboxes sync again', async () => {
      for (const row of sent) {
        if (recovered.length >= sent.length) break;
        const found = await fleet.query(`select 1 from messages where mailbox_id = $1 and provider_message_id = $2`, [row.mailbox_id, row.id]);
        if (found.length > 0 && !(row as { done?: boolean }).done) {
          (row as { done?: boolean }).done = true;
          recovered.push((performance.now() - killedAt) / 1000);
        }
      }
      return recovered.length === sent.length;
    }, 120_000, 100);
    rows.push({ benchmark: 'postgres', metric: `failover: SIGKILL 1 of 3 daemons (${held.length} mailboxes), time until its mailboxes sync again`, unit: 's', value: summary(recovered), note: `lease expiry ${leaseTtlMs / 1000} s (MAILMON_LEASE_TTL_MS); expected about one expiry plus a heartbeat; load ${os.loadavg().map((value) => value.toFixed(1)).join(' ')}` });
    log(`  failover: median ${median(recovered).toFixed(2)} s, max ${Math.max(...recovered).toFixed(2)} s`);
  } finally {
    await closeFleet(fleet);
  }
}

async function main(): Promise<void> {
  const server = await startTestPostgres();
  try {
    const only = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
    const all: Record<string, (server: TestPostgresServer) => Promise<void>> = { commit: commitThroughput, 'scale-out': scaleOut, failover };
    for (const [name, run] of Object.entries(all)) {
      if (only.length > 0 && !only.includes(name)) continue;
      try {
        await run(server);
      } catch (error) {
        log(`${name} FAILED: ${(error as Error).stack ?? String(error)}`);
        rows.push({ benchmark: 'postgres', metric: `${name}: failed`, skipped: `failed: ${String((error as Error).message ?? error).split('\n')[0].slice(0, 200)}` });
      }
    }
  } finally {
    await server.stop();
  }
  process.stdout.write(`${JSON.stringify(rows)}\n`);
}

await main();
