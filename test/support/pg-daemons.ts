/**
 * Many `mailmon daemon run` processes on one PostgreSQL store, for the chaos tests and the
 * benchmarks: a fixture server with N mailboxes, all logged in to the shared store, daemons
 * (each with its own MAILMON_HOME: pid file, socket, log) that can be SIGKILLed, stopped and
 * restarted, and the checks: the store equals the server, the event log is gap-free and
 * exactly-once, lease holds never overlap.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { login } from '../../src/app/login.js';
import { CliContext } from '../../src/cli/context.js';
import { loginDeps } from '../../src/cli/wiring.js';
import type { MailmonEvent } from '../../src/core/events.js';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { cliEnv, startCli, tempHome } from './cli.js';
import { foldEvents } from './event-fold.js';
import { untilWith } from './until.js';

export interface DaemonProcess {
  home: string;
  child: ChildProcessWithoutNullStreams;
  /** Every pid this slot ran, with when it was killed (null: stopped cleanly or still running). */
  runs: Array<{ pid: number; killedAt: number | null }>;
}

export interface Fleet {
  server: FixtureServer;
  emails: string[];
  env: Record<string, string>;
  daemons: DaemonProcess[];
  start(index: number): DaemonProcess;
  kill(index: number, signal?: NodeJS.Signals): Promise<void>;
  stopAll(): Promise<void>;
  query<T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export async function startFleet(options: { url: string; mailboxes: number; messages?: number; daemons: number; leaseTtlMs: number; pollInterval?: string; seed?: number; extraEnv?: Record<string, string> }): Promise<Fleet> {
  const emails = Array.from({ length: options.mailboxes }, (_, index) => `c${String(index).padStart(3, '0')}@chaos.test`);
  const server = await startFixtureServer({ quota: false, seed: options.seed ?? 5, mailboxes: emails.map((emailAddress) => ({ emailAddress, generate: { messages: options.messages ?? 8 } })) });
  const env: Record<string, string> = {
    MAILMON_DATABASE_URL: options.url,
    MAILMON_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    MAILMON_SECRET_STORE: 'file',
    MAILMON_QUOTA_UNITS_PER_SECOND: '100000',
    MAILMON_POLL_INTERVAL: options.pollInterval ?? '300ms',
    MAILMON_SYNC_EMIT_BACKFILL: 'true',
    MAILMON_LEASE_TTL_MS: String(options.leaseTtlMs),
    ...options.extraEnv,
  };
  const setupHome = tempHome('mailmon-fleet-setup-');
  const ctx = new CliContext(cliEnv({ home: setupHome, env }));
  try {
    for (const email of emails) await login(await loginDeps(ctx, { onAuthUrl: () => undefined }), { fixtureUrl: server.url, loginHint: email });
  } finally {
    ctx.close();
  }
  const pool = new pg.Pool({ connectionString: options.url, max: 2 });
  // An idle connection dropped by the server (its shutdown, a terminated backend) is discarded by the pool; unhandled, it would crash the runner.
  pool.on('error', () => undefined);
  const daemons: DaemonProcess[] = [];
  const fleet: Fleet = {
    server,
    emails,
    env,
    daemons,
    start(index) {
      const home = daemons[index]?.home ?? tempHome(`mailmon-fleet-${index}-`);
      const child = startCli(['daemon', 'run'], { home, env });
      child.stdout.resume();
      child.stderr.resume();
      const slot = daemons[index] ?? { home, child, runs: [] };
      slot.child = child;
      slot.runs.push({ pid: child.pid!, killedAt: null });
      daemons[index] = slot;
      return slot;
    },
    async kill(index, signal = 'SIGKILL') {
      const slot = daemons[index];
      if (slot.child.exitCode !== null || slot.child.signalCode !== null) return;
      const exited = new Promise((resolve) => slot.child.once('exit', resolve));
      slot.runs.at(-1)!.killedAt = Date.now();
      slot.child.kill(signal);
      await exited;
    },
    async stopAll() {
      await Promise.all(daemons.map(async (slot) => {
        if (slot.child.exitCode !== null || slot.child.signalCode !== null) return;
        const exited = new Promise((resolve) => slot.child.once('exit', resolve));
        slot.child.kill('SIGTERM');
        const timer = setTimeout(() => slot.child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }));
    },
    query: async (text, values) => (await pool.query(text, values)).rows,
    async close() {
      await fleet.stopAll().catch(() => undefined);
      await pool.end();
      await server.close();
    },
  };
  return fleet;
}

/** Mutates random mailboxes of the fleet's server: sends, label changes, trash, deletes. */
export async function mutate(fleet: Fleet, random: () => number): Promise<void> {
  const mailbox = fleet.emails[Math.floor(random() * fleet.emails.length)];
  const messages = (await fleet.server.control.snapshot({ mailbox })).messages;
  const target = messages[Math.floor(random() * messages.length)];
  const roll = random();
  if (!target || roll < 0.35) await fleet.server.control.send({ mailbox, subject: `chaos ${Math.floor(random() * 1e9)}`, threadId: target && random() < 0.4 ? target.threadId : undefined });
  else if (roll < 0.6) await fleet.server.control.modify({ mailbox, id: target.id, addLabelIds: ['STARRED'], removeLabelIds: ['UNREAD'] });
  else if (roll < 0.75) await fleet.server.control.modify({ mailbox, id: target.id, addLabelIds: ['UNREAD'], removeLabelIds: ['STARRED'] });
  else if (roll < 0.85) await fleet.server.control.trash({ mailbox, id: target.id });
  else if (roll < 0.92) await fleet.server.control.untrash({ mailbox, id: target.id });
  else await fleet.server.control.delete({ mailbox, id: target.id });
}

/** Mailboxes whose stored messages differ from the server's (empty: converged). */
export async function divergent(fleet: Fleet): Promise<string[]> {
  const local = await fleet.query<{ email: string; id: string; labels: string[] }>(
    `select mb.email_address as email, m.provider_message_id as id, m.label_ids as labels from messages m join mailboxes mb on mb.id = m.mailbox_id`,
  );
  const byMailbox = new Map<string, string[]>();
  for (const row of local) byMailbox.set(row.email, [...(byMailbox.get(row.email) ?? []), `${row.id}:${[...row.labels].sort().join(',')}`]);
  const differing: string[] = [];
  for (const email of fleet.emails) {
    const truth = (await fleet.server.control.snapshot({ mailbox: email })).messages.map((m) => `${m.id}:${[...m.labelIds].sort().join(',')}`).sort();
    if (JSON.stringify((byMailbox.get(email) ?? []).sort()) !== JSON.stringify(truth)) differing.push(email);
  }
  return differing;
}

export async function storedEvents(fleet: Fleet): Promise<MailmonEvent[]> {
  const rows = await fleet.query<{ body: string }>('select body from events order by sequence');
  return rows.map((row) => JSON.parse(row.body) as MailmonEvent);
}

/** Gap-free, unique, and per mailbox exactly one event per change (folding the events gives the server's state). */
export async function logProblems(fleet: Fleet, events: MailmonEvent[]): Promise<string[]> {
  const problems: string[] = [];
  const ids = new Set<string>();
  events.forEach((event, index) => {
    if (ids.has(event.id)) problems.push(`duplicate event id ${event.id}`);
    ids.add(event.id);
    if (event.sequence !== index + 1) problems.push(`sequence ${event.sequence} at position ${index + 1}`);
  });
  const emailOf = new Map((await fleet.query<{ id: string; email: string }>('select id, email_address as email from mailboxes')).map((row) => [row.id, row.email]));
  for (const [mailboxId, email] of emailOf) {
    const mine = events.filter((event) => event.mailboxId === mailboxId).map((event, index) => ({ ...event, sequence: index + 1 }));
    const folded = foldEvents(mine as MailmonEvent[]);
    problems.push(...folded.problems.map((problem) => `${email}: ${problem}`));
    const truth = (await fleet.server.control.snapshot({ mailbox: email })).messages.map((m) => ({ id: m.id, labelIds: [...m.labelIds].sort() })).sort((a, b) => a.id.localeCompare(b.id));
    if (JSON.stringify(folded.messages) !== JSON.stringify(truth)) problems.push(`${email}: folded events differ from the server`);
  }
  return problems;
}

export interface Hold {
  mailboxId: string;
  holderId: string;
  epoch: number;
  from: number;
  to: number;
}

/** Every lease hold the daemons logged ("lease hold" lines), ended at release, loss, kill, or `end`. */
export function leaseHolds(fleet: Fleet, end: number): Hold[] {
  const holds: Hold[] = [];
  const killedAt = new Map(fleet.daemons.flatMap((slot) => slot.runs.map((run) => [run.pid, run.killedAt] as const)));
  for (const slot of fleet.daemons) {
    const dir = path.join(slot.home, 'logs');
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.startsWith('daemon')).map((name) => path.join(dir, name)) : [];
    const open = new Map<string, Hold>();
    const lines = files.flatMap((file) => fs.readFileSync(file, 'utf8').split('\n')).filter((line) => line.includes('"lease hold"'));
    const entries = lines.map((line) => JSON.parse(line) as { mailboxId: string; kind: string; epoch: number; at: number; holderId: string }).sort((a, b) => a.at - b.at);
    for (const entry of entries) {
      const key = `${entry.holderId} ${entry.mailboxId} ${entry.epoch}`;
      if (entry.kind === 'claimed') open.set(key, { mailboxId: entry.mailboxId, holderId: entry.holderId, epoch: entry.epoch, from: entry.at, to: end });
      else {
        const hold = open.get(key);
        if (hold) holds.push({ ...hold, to: entry.at });
        open.delete(key);
      }
    }
    for (const hold of open.values()) holds.push({ ...hold, to: killedAt.get(Number(hold.holderId.split(':').at(-2))) ?? end });
  }
  return holds;
}

/** Pairs of holds of one mailbox by different holders that overlap in time. */
export function overlaps(holds: Hold[]): Array<[Hold, Hold]> {
  const found: Array<[Hold, Hold]> = [];
  const byMailbox = new Map<string, Hold[]>();
  for (const hold of holds) byMailbox.set(hold.mailboxId, [...(byMailbox.get(hold.mailboxId) ?? []), hold]);
  for (const list of byMailbox.values()) {
    list.sort((a, b) => a.from - b.from);
    for (let index = 1; index < list.length; index += 1) {
      for (let earlier = 0; earlier < index; earlier += 1) {
        if (list[earlier].holderId !== list[index].holderId && list[index].from < list[earlier].to) found.push([list[earlier], list[index]]);
      }
    }
  }
  return found;
}

export const until = untilWith({ timeoutMs: 60_000, everyMs: 250 });
