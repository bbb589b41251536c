/**
 * One lease file per mailbox under MAILMON_HOME/leases/ (PRODUCT §4, principle 4).
 *
 * - Created atomically WITH its contents: the holder record is written to a private temp file
 *   and hard-linked into place (link(2) fails if the lease exists), so a lease file always names
 *   its holder — even when the holder is SIGKILLed a microsecond after taking it.
 * - Renewed by a heartbeat (the file's mtime); taken over only when it has expired (mtime older
 *   than the stale period) or its holder's pid is gone on this host.
 * - Acquiring bumps the mailbox's lease epoch in SQLite (the fencing token). Every commit is
 *   conditional on that epoch, so even if two processes ever both believe they hold the lease
 *   (a takeover race), only the newest can commit.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MailmonError } from '../../core/errors.js';
import { pidAlive } from './pid-file.js';
import { trace } from './debug-log.js';

const traceLease = trace('lease');

export interface LeaseHolder {
  pid: number;
  hostname: string;
  token: string;
  epoch: number | null;
  acquiredAt: number;
  purpose: string;
}

export interface Lease {
  readonly mailboxId: string;
  readonly epoch: number;
  /** Aborted when the lease was lost (taken over after our heartbeat stalled, or removed). */
  readonly signal: AbortSignal;
  release(): Promise<void>;
}

export interface AcquireLeaseOptions {
  leasesDir: string;
  mailboxId: string;
  /** Bumps and returns the mailbox's lease epoch in the store. */
  bumpEpoch: () => number;
  purpose?: string;
  waitMs?: number;
  staleMs?: number;
  heartbeatMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_STALE_MS = 30_000;
const DEFAULT_HEARTBEAT_MS = 3_000;

export function leasePath(leasesDir: string, mailboxId: string): string {
  return path.join(leasesDir, `${mailboxId}.lease`);
}

export function readLeaseHolder(leasesDir: string, mailboxId: string): LeaseHolder | null {
  try {
    return JSON.parse(fs.readFileSync(leasePath(leasesDir, mailboxId), 'utf8')) as LeaseHolder;
  } catch {
    return null;
  }
}

export function isLeaseLocked(leasesDir: string, mailboxId: string): boolean {
  return fs.existsSync(leasePath(leasesDir, mailboxId));
}


/** Whether an existing lease may be taken over: expired, unreadable and old, or its holder is dead. */
export function leaseExpired(file: string, staleMs: number, now = Date.now()): boolean {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return true;
  }
  if (now - stat.mtimeMs > staleMs) return true;
  let holder: LeaseHolder | null = null;
  try {
    holder = JSON.parse(fs.readFileSync(file, 'utf8')) as LeaseHolder;
  } catch {
    return false; // unreadable but fresh: wait for it to expire
  }
  return holder.hostname === os.hostname() && !pidAlive(holder.pid);
}

function writeHolder(file: string, holder: LeaseHolder): void {
  fs.writeFileSync(file, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
}

export async function acquireLease(options: AcquireLeaseOptions): Promise<Lease> {
  fs.mkdirSync(options.leasesDir, { recursive: true, mode: 0o700 });
  const file = leasePath(options.leasesDir, options.mailboxId);
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const deadline = Date.now() + (options.waitMs ?? 0);
  const holder: LeaseHolder = { pid: process.pid, hostname: os.hostname(), token: randomBytes(12).toString('hex'), epoch: null, acquiredAt: Date.now(), purpose: options.purpose ?? 'sync' };
  const temp = path.join(options.leasesDir, `.${options.mailboxId}.${process.pid}.${holder.token}.tmp`);
  writeHolder(temp, holder);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(temp, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      if (leaseExpired(file, staleMs)) {
        // Take over. A racing taker may remove ours in turn; fencing makes that harmless.
        traceLease('%s: taking over a stale lease (held by pid %s)', options.mailboxId, readLeaseHolder(options.leasesDir, options.mailboxId)?.pid ?? '?');
        fs.rmSync(file, { force: true });
        continue;
      }
      if (Date.now() >= deadline || options.signal?.aborted) {
        traceLease('%s: held by pid %s; not acquired', options.mailboxId, readLeaseHolder(options.leasesDir, options.mailboxId)?.pid ?? '?');
        throw leaseHeld(options.leasesDir, options.mailboxId, options.waitMs ?? 0);
      }
      if (attempt === 0) traceLease('%s: held by pid %s; waiting up to %dms', options.mailboxId, readLeaseHolder(options.leasesDir, options.mailboxId)?.pid ?? '?', Math.max(0, deadline - Date.now()));
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, 20 * 2 ** Math.min(attempt, 4))));
    }
  } finally {
    fs.rmSync(temp, { force: true });
  }

  const ours = () => {
    const current = readLeaseHolder(options.leasesDir, options.mailboxId);
    return current?.token === holder.token && current.pid === process.pid;
  };
  let epoch: number;
  try {
    epoch = options.bumpEpoch();
    // Record the epoch for `status`/`doctor`: replace our own file atomically.
    const update = `${temp}.epoch`;
    writeHolder(update, { ...holder, epoch });
    if (ours()) fs.renameSync(update, file);
    else fs.rmSync(update, { force: true });
  } catch (error) {
    if (ours()) fs.rmSync(file, { force: true });
    throw error;
  }

  traceLease('%s: acquired for %s (epoch %d)', options.mailboxId, holder.purpose, epoch);
  const controller = new AbortController();
  const heartbeat = setInterval(() => {
    if (!ours()) {
      clearInterval(heartbeat);
      traceLease('%s: lease lost (epoch %d)', options.mailboxId, epoch);
      controller.abort(new MailmonError('lease_lost', `Lost the lease on mailbox ${options.mailboxId}.`, { hint: 'Another mailmon took it over; this sync stops without committing.' }));
      return;
    }
    const now = new Date();
    try {
      fs.utimesSync(file, now, now);
    } catch {
      // Gone between the check and the touch: the next beat notices.
    }
  }, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  heartbeat.unref();

  let released = false;
  return {
    mailboxId: options.mailboxId,
    epoch,
    signal: controller.signal,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      if (ours()) fs.rmSync(file, { force: true });
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

/** Lease files in the directory with their holders (null: unreadable). Temp files are skipped. */
export function listLeases(leasesDir: string): Array<{ mailboxId: string; file: string; holder: LeaseHolder | null }> {
  let names: string[];
  try {
    names = fs.readdirSync(leasesDir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith('.lease') && !name.startsWith('.'))
    .map((name) => {
      const mailboxId = name.slice(0, -'.lease'.length);
      return { mailboxId, file: path.join(leasesDir, name), holder: readLeaseHolder(leasesDir, mailboxId) };
    });
}

/**
 * Recovery on daemon start: removes lease files (and leftover temp files) whose holder process on
 * this host is gone. acquireLease would take them over anyway; removing them keeps `status` and
 * `leases/` honest. Returns the mailbox ids whose lease was removed.
 */
export function removeDeadLeases(leasesDir: string, isAlive: (pid: number) => boolean = pidAlive): string[] {
  const removed: string[] = [];
  for (const lease of listLeases(leasesDir)) {
    if (lease.holder && lease.holder.hostname === os.hostname() && lease.holder.pid !== process.pid && !isAlive(lease.holder.pid)) {
      fs.rmSync(lease.file, { force: true });
      removed.push(lease.mailboxId);
    }
  }
  let names: string[] = [];
  try {
    names = fs.readdirSync(leasesDir);
  } catch {
    // no directory: nothing to clean
  }
  for (const name of names) {
    const match = /^\..+\.(\d+)\.[0-9a-f]+\.tmp(\.epoch)?$/.exec(name);
    if (match && Number(match[1]) !== process.pid && !isAlive(Number(match[1]))) fs.rmSync(path.join(leasesDir, name), { force: true });
  }
  return removed;
}

/** On shutdown: removes any lease file still naming this process (a sync cut off mid-way). */
export function releaseLeasesOf(leasesDir: string, pid = process.pid): string[] {
  const released: string[] = [];
  for (const lease of listLeases(leasesDir)) {
    if (lease.holder?.pid === pid && lease.holder.hostname === os.hostname()) {
      fs.rmSync(lease.file, { force: true });
      released.push(lease.mailboxId);
    }
  }
  return released;
}
