/**
 * One lease per mailbox under MAILMON_HOME/leases/: at most one holder,
 * always — not only "at most one committer" (the fencing epoch gives that on top).
 *
 *   leases/<mailbox>.lease/            the lease: a directory holding exactly one holder record
 *          <token>.holder              the holder (JSON: pid, host, token, epoch…); its mtime is the heartbeat
 *   leases/.<mailbox>.<pid>.<token>.tmp/   an acquirer's prepared lease (private until renamed into place)
 *
 * The three operations, each one atomic system call on a name no other process can reuse:
 *  - acquire: prepare a private directory holding our record, then rename(2) it onto
 *    `<mailbox>.lease`. rename succeeds only when that path is absent or an EMPTY directory
 *    (replacing it); a held lease is a non-empty directory, so the rename fails (ENOTEMPTY/EEXIST).
 *    The record's mtime is set just before each rename: a waiter that waited longer than the
 *    stale period must not enter with an "expired" heartbeat and be taken over at once.
 *  - release: unlink our own `<token>.holder` (its name carries our 96-bit random token), then
 *    rmdir the lease directory, which succeeds only if it is empty (still free).
 *  - take over: a holder judged stale (its mtime older than the stale period, or its pid dead on
 *    this host) is removed by unlinking exactly the record judged, by its unique name; then
 *    acquire as usual.
 *
 * Why there is never a second holder (think of every interleaving of these steps):
 *  1. A record enters the lease directory only inside the prepared directory that is renamed onto
 *     the lease path, and that rename succeeds only when the path holds no record. Nothing else
 *     ever creates a file inside a lease directory: the epoch update opens our own record WITHOUT
 *     O_CREAT (if it was removed, the open fails and nothing is created).
 *  2. A record leaves only by unlink of its own name. Tokens are never reused, so an unlink aimed
 *     at a stale record can only ever remove that record: if its holder released it first, or
 *     another taker removed it first, the unlink fails with ENOENT and removes nothing — it can
 *     never remove a lease another process has just created (the defect of the former single
 *     shared file name, where "stat failed, so remove the path" deleted a fresh lease).
 *  3. rmdir and the replacing rename only ever remove an EMPTY directory: a free lease.
 *  So the lease directory holds at most one record at any instant, and a process holds the lease
 *  exactly while its record exists: from its successful rename until its own unlink, or until a
 *  taker removes a record that really was stale (its holder paused past the stale period: it finds
 *  its record gone on the next heartbeat and aborts, and the epoch fences any late commit).
 *  A gone record is never "expired" — there is nothing to remove, the acquirer just tries again.
 *
 * A plain file at `<mailbox>.lease` is a lease written by an earlier mailmon: judged as before and
 * removed with unlink(2), which cannot remove a directory, hence never a current lease.
 * Acquiring bumps the mailbox's lease epoch in SQLite (the fencing token); every commit is
 * conditional on it. Relies on POSIX rename/unlink/rmdir semantics of a local file system.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MailmonError } from '../../core/errors.js';
import type { HeldLease, LeaseHolder as PortLeaseHolder, Leases } from '../../app/ports/leases.js';
import type { Mailboxes } from '../../app/ports/mailboxes.js';
import { pidAlive } from './pid-file.js';
import { trace } from './debug-log.js';

const traceLease = trace('lease');

export interface LeaseHolder {
  pid: number;
  hostname: string;
  token: string;
  acquiredAt: number;
  purpose: string;
  epoch: number | null;
}

/** A held file lease: its signal aborts when the lease was lost (taken over after our heartbeat stalled, or removed). */
export type Lease = HeldLease;

export interface AcquireLeaseOptions {
  leasesDir: string;
  mailboxId: string;
  /** Bumps and returns the mailbox's lease epoch in the store. */
  bumpEpoch: () => number | Promise<number>;
  purpose?: string;
  waitMs?: number;
  staleMs?: number;
  heartbeatMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_STALE_MS = 30_000;
const DEFAULT_HEARTBEAT_MS = 3_000;
const HOLDER_SUFFIX = '.holder';
/** Room kept in a record for the epoch written after acquiring: the update is one same-length write. */
const RECORD_SLACK = 24;

export function leasePath(leasesDir: string, mailboxId: string): string {
  return path.join(leasesDir, `${mailboxId}.lease`);
}

type LeaseState =
  | { kind: 'free' }
  | { kind: 'held'; records: string[] }
  | { kind: 'legacy'; file: string };

/** What is at a lease path: nothing (or an empty directory), holder records, or an earlier version's plain file. */
function inspect(file: string): LeaseState {
  try {
    const records = fs.readdirSync(file);
    return records.length === 0 ? { kind: 'free' } : { kind: 'held', records: records.map((name) => path.join(file, name)) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'free' };
    if (code === 'ENOTDIR') return { kind: 'legacy', file };
    throw error;
  }
}

function readRecord(file: string): LeaseHolder | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LeaseHolder;
  } catch {
    return null;
  }
}

export function readLeaseHolder(leasesDir: string, mailboxId: string): LeaseHolder | null {
  const state = inspect(leasePath(leasesDir, mailboxId));
  if (state.kind === 'legacy') return readRecord(state.file);
  if (state.kind === 'held') return readRecord(state.records.find((record) => record.endsWith(HOLDER_SUFFIX)) ?? state.records[0]);
  return null;
}

export function isLeaseLocked(leasesDir: string, mailboxId: string): boolean {
  return inspect(leasePath(leasesDir, mailboxId)).kind !== 'free';
}

/**
 * Whether a holder record (or an earlier version's lease file) may be removed: "gone" when it no
 * longer exists (nothing to remove), "stale" when its heartbeat is older than the stale period or
 * its holder's pid is gone on this host, "fresh" otherwise (including unreadable but recent).
 */
export function judgeRecord(file: string, staleMs: number, now = Date.now(), isAlive: (pid: number) => boolean = pidAlive): 'gone' | 'stale' | 'fresh' {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return 'gone';
  }
  if (now - stat.mtimeMs > staleMs) return 'stale';
  const holder = readRecord(file);
  if (!holder) return 'fresh'; // unreadable but fresh: wait for it to expire
  return holder.hostname === os.hostname() && !isAlive(holder.pid) ? 'stale' : 'fresh';
}

/** Removes one record by its own name (never another), then the lease directory if that left it empty. */
function removeRecord(leaseFile: string, record: string): boolean {
  let removed = true;
  try {
    fs.unlinkSync(record);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    removed = false;
  }
  try {
    fs.rmdirSync(leaseFile);
  } catch {
    // Not empty (someone else's lease now) or already gone: both fine.
  }
  return removed;
}

/** An earlier version's plain lease file: unlink(2) fails on a directory, so a current lease is never hit. */
function removeLegacy(file: string): boolean {
  try {
    fs.unlinkSync(file);
    return true;
  } catch {
    return false;
  }
}

/** Removes whatever at the lease path is stale. Returns whether something was removed (or had already gone). */
function clearStale(leaseFile: string, state: LeaseState, staleMs: number, isAlive: (pid: number) => boolean = pidAlive): boolean {
  if (state.kind === 'free') return true;
  if (state.kind === 'legacy') {
    const verdict = judgeRecord(state.file, staleMs, Date.now(), isAlive);
    return verdict === 'gone' || (verdict === 'stale' && removeLegacy(state.file));
  }
  let progressed = false;
  for (const record of state.records) {
    const verdict = judgeRecord(record, staleMs, Date.now(), isAlive);
    if (verdict === 'gone') progressed = true;
    else if (verdict === 'stale') {
      removeRecord(leaseFile, record);
      progressed = true;
    }
  }
  return progressed;
}

function formatRecord(holder: LeaseHolder, length?: number): string {
  const json = JSON.stringify(holder);
  return `${json.padEnd((length ?? json.length + RECORD_SLACK) - 1)}\n`;
}

function prepare(leasesDir: string, mailboxId: string, holder: LeaseHolder): { dir: string; record: string; text: string } {
  const dir = path.join(leasesDir, `.${mailboxId}.${holder.pid}.${holder.token}.tmp`);
  fs.mkdirSync(dir, { mode: 0o700 });
  const text = formatRecord(holder);
  const record = path.join(dir, `${holder.token}${HOLDER_SUFFIX}`);
  fs.writeFileSync(record, text, { mode: 0o600 });
  return { dir, record, text };
}

/** rename(2) of our prepared directory onto the lease path: true when we now hold it. */
function tryTake(prepared: { dir: string; record: string }, leaseFile: string): boolean {
  // The record enters with a fresh heartbeat, not the time we started waiting (else it would look expired at once).
  const now = new Date();
  fs.utimesSync(prepared.record, now, now);
  try {
    fs.renameSync(prepared.dir, leaseFile);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') return false;
    throw error;
  }
}

export async function acquireLease(options: AcquireLeaseOptions): Promise<Lease> {
  fs.mkdirSync(options.leasesDir, { recursive: true, mode: 0o700 });
  const file = leasePath(options.leasesDir, options.mailboxId);
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const deadline = Date.now() + (options.waitMs ?? 0);
  const holder: LeaseHolder = { pid: process.pid, hostname: os.hostname(), token: randomBytes(12).toString('hex'), acquiredAt: Date.now(), purpose: options.purpose ?? 'sync', epoch: null };
  const record = path.join(file, `${holder.token}${HOLDER_SUFFIX}`);
  const prepared = prepare(options.leasesDir, options.mailboxId, holder);
  try {
    for (let attempt = 0; ; attempt++) {
      if (tryTake(prepared, file)) break;
      // Held (or an earlier version's file): take over what is stale, then try again at once.
      if (clearStale(file, inspect(file), staleMs)) {
        traceLease('%s: took over a stale lease', options.mailboxId);
        continue;
      }
      if (Date.now() >= deadline || options.signal?.aborted) {
        traceLease('%s: held by pid %s; not acquired', options.mailboxId, readLeaseHolder(options.leasesDir, options.mailboxId)?.pid ?? '?');
        throw leaseHeld(options.leasesDir, options.mailboxId, options.waitMs ?? 0);
      }
      if (attempt === 0) traceLease('%s: held by pid %s; waiting up to %dms', options.mailboxId, readLeaseHolder(options.leasesDir, options.mailboxId)?.pid ?? '?', Math.max(0, deadline - Date.now()));
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, 20 * 2 ** Math.min(attempt, 4))));
    }
  } catch (error) {
    fs.rmSync(prepared.dir, { recursive: true, force: true });
    throw error;
  }

  const controller = new AbortController();
  const lost = () => {
    traceLease('%s: lease lost', options.mailboxId);
    controller.abort(new MailmonError('lease_lost', `Lost the lease on mailbox ${options.mailboxId}.`, { hint: 'Another mailmon took it over; this sync stops without committing.' }));
  };
  let epoch: number;
  try {
    epoch = await options.bumpEpoch();
  } catch (error) {
    removeRecord(file, record);
    throw error;
  }
  // Record the epoch for `status`/`doctor` in our own record, never creating one (see 1. above).
  try {
    const fd = fs.openSync(record, 'r+');
    try {
      fs.writeSync(fd, formatRecord({ ...holder, epoch }, prepared.text.length), 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    lost(); // already taken over (we stalled past the stale period)
  }

  const heartbeat = setInterval(() => {
    const now = new Date();
    try {
      fs.utimesSync(record, now, now);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return; // try again on the next beat
      clearInterval(heartbeat);
      lost();
    }
  }, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  heartbeat.unref();
  traceLease('%s: acquired for %s (epoch %d)', options.mailboxId, holder.purpose, epoch);

  let released = false;
  return {
    mailboxId: options.mailboxId,
    epoch,
    signal: controller.signal,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      removeRecord(file, record);
      traceLease('%s: released (epoch %d, held %dms)', options.mailboxId, epoch, Date.now() - holder.acquiredAt);
    },
  };
}

function leaseHeld(leasesDir: string, mailboxId: string, waitedMs: number): MailmonError {
  const holder = readLeaseHolder(leasesDir, mailboxId);
  const who = holder ? `pid ${holder.pid}${holder.purpose ? ` (${holder.purpose})` : ''}` : 'another process';
  return new MailmonError('lease_held', `Mailbox ${mailboxId} is being synced by ${who}.`, {
    hint: waitedMs > 0 ? `Waited ${Math.round(waitedMs / 1000)}s. Try again later, or pass a longer --wait.` : 'Wait for it to finish, or pass --wait SECONDS to wait for it.',
    details: holder ? { holderPid: holder.pid } : undefined,
  });
}

/** Held leases in the directory with their holders (null: unreadable). Temp files and free leases are skipped. */
export function listLeases(leasesDir: string): Array<{ mailboxId: string; file: string; holder: LeaseHolder | null }> {
  let names: string[];
  try {
    names = fs.readdirSync(leasesDir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith('.lease') && !name.startsWith('.'))
    .map((name) => name.slice(0, -'.lease'.length))
    .filter((mailboxId) => isLeaseLocked(leasesDir, mailboxId))
    .map((mailboxId) => ({ mailboxId, file: leasePath(leasesDir, mailboxId), holder: readLeaseHolder(leasesDir, mailboxId) }));
}

/** Removes the records (or earlier-version files) of one lease that match, each by its own name. */
function removeMatching(leaseFile: string, matches: (holder: LeaseHolder | null, record: string) => boolean): boolean {
  const state = inspect(leaseFile);
  if (state.kind === 'legacy') return matches(readRecord(state.file), state.file) && removeLegacy(state.file);
  if (state.kind === 'free') return false;
  let removed = false;
  for (const record of state.records) if (matches(readRecord(record), record) && removeRecord(leaseFile, record)) removed = true;
  return removed;
}

/**
 * Recovery on daemon start: removes leases (and leftover prepared directories) whose holder process
 * on this host is gone. acquireLease would take them over anyway; removing them keeps `status` and
 * `leases/` honest. Returns the mailbox ids whose lease was removed.
 */
export function removeDeadLeases(leasesDir: string, isAlive: (pid: number) => boolean = pidAlive): string[] {
  const removed: string[] = [];
  for (const lease of listLeases(leasesDir)) {
    const dead = (holder: LeaseHolder | null) => holder !== null && holder.hostname === os.hostname() && holder.pid !== process.pid && !isAlive(holder.pid);
    if (removeMatching(lease.file, dead)) removed.push(lease.mailboxId);
  }
  let names: string[] = [];
  try {
    names = fs.readdirSync(leasesDir);
  } catch {
    // no directory: nothing to clean
  }
  for (const name of names) {
    const match = /^\..+\.(\d+)\.[0-9a-f]+\.tmp(\.epoch)?$/.exec(name);
    if (match && Number(match[1]) !== process.pid && !isAlive(Number(match[1]))) fs.rmSync(path.join(leasesDir, name), { recursive: true, force: true });
  }
  return removed;
}

/** doctor: removes leases whose holder stopped its heartbeat for the stale period or is dead. Returns the mailbox ids. */
export function removeExpiredLeases(leasesDir: string, staleMs = DEFAULT_STALE_MS, isAlive: (pid: number) => boolean = pidAlive): string[] {
  const removed: string[] = [];
  for (const lease of listLeases(leasesDir)) {
    if (removeMatching(lease.file, (_holder, record) => judgeRecord(record, staleMs, Date.now(), isAlive) === 'stale')) removed.push(lease.mailboxId);
  }
  return removed;
}

/** On shutdown: removes any lease record still naming this process (a sync cut off mid-way). */
export function releaseLeasesOf(leasesDir: string, pid = process.pid): string[] {
  const released: string[] = [];
  for (const lease of listLeases(leasesDir)) {
    if (removeMatching(lease.file, (holder) => holder?.pid === pid && holder.hostname === os.hostname())) released.push(lease.mailboxId);
  }
  return released;
}

/** A holder record as the Leases port shows it: who, for people; the pid stays inside this module. */
function portHolder(holder: LeaseHolder | null): PortLeaseHolder | null {
  if (!holder) return null;
  return { owner: `pid ${holder.pid} on ${holder.hostname}`, purpose: holder.purpose, acquiredAt: holder.acquiredAt, epoch: holder.epoch };
}

/**
 * The Leases port (src/app/ports/leases.ts) on lease directories under `leasesDir`, with the
 * fencing epoch bumped through the Mailboxes port. The single-host implementation: it judges a
 * silent holder by its heartbeat, and a holder on this host also by its pid.
 */
export function fileLeases(options: { leasesDir: string; mailboxes: Pick<Mailboxes, 'bumpLeaseEpoch'>; heartbeatMs?: number }): Leases {
  const { leasesDir } = options;
  return {
    acquire: (mailboxId, acquire = {}) => acquireLease({ leasesDir, mailboxId, bumpEpoch: () => options.mailboxes.bumpLeaseEpoch(mailboxId), heartbeatMs: options.heartbeatMs, ...acquire }),
    // A held lease whose record cannot be read (being written) is still held.
    holder: async (mailboxId) => portHolder(readLeaseHolder(leasesDir, mailboxId)) ?? (isLeaseLocked(leasesDir, mailboxId) ? { owner: 'unknown', purpose: 'unknown', acquiredAt: 0, epoch: null } : null),
    list: async () => listLeases(leasesDir).map((lease) => ({ mailboxId: lease.mailboxId, holder: portHolder(lease.holder) })),
    removeDead: async () => removeDeadLeases(leasesDir),
    removeExpired: async (staleMs) => removeExpiredLeases(leasesDir, staleMs),
    releaseOwn: async () => releaseLeasesOf(leasesDir),
  };
}
