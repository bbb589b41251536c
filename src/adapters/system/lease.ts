/**
 * One lease file per mailbox under MAILMON_HOME/leases/ (PRODUCT §4, principle 4).
 * The lock itself is proper-lockfile's atomic mkdir, renewed by a heartbeat (mtime update)
 * and taken over only once stale — or at once when the recorded holder pid is dead on this
 * host, so a SIGKILLed sync does not block the next one for the stale period.
 * Acquiring bumps the mailbox's lease epoch in SQLite (the fencing token); every commit is
 * conditional on that epoch, so even if two processes ever both believe they hold the lock,
 * only the newest can commit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { MailmonError } from '../../core/errors.js';
import { writePrivateFile } from './home.js';

export interface LeaseHolder {
  pid: number;
  hostname: string;
  epoch: number;
  acquiredAt: number;
  purpose: string;
}

export interface Lease {
  readonly mailboxId: string;
  readonly epoch: number;
  /** Aborted when the lock was compromised (e.g. taken over after our heartbeat stalled). */
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

function paths(leasesDir: string, mailboxId: string) {
  return { target: path.join(leasesDir, mailboxId), lock: path.join(leasesDir, `${mailboxId}.lock`), holder: path.join(leasesDir, `${mailboxId}.holder.json`) };
}

export function readLeaseHolder(leasesDir: string, mailboxId: string): LeaseHolder | null {
  try {
    return JSON.parse(fs.readFileSync(paths(leasesDir, mailboxId).holder, 'utf8')) as LeaseHolder;
  } catch {
    return null;
  }
}

export function isLeaseLocked(leasesDir: string, mailboxId: string): boolean {
  return fs.existsSync(paths(leasesDir, mailboxId).lock);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes a lock whose holder process is gone (same host only). Returns true if removed. */
export function breakDeadLease(leasesDir: string, mailboxId: string): boolean {
  const { lock } = paths(leasesDir, mailboxId);
  if (!fs.existsSync(lock)) return false;
  const holder = readLeaseHolder(leasesDir, mailboxId);
  if (!holder || holder.hostname !== os.hostname() || pidAlive(holder.pid)) return false;
  fs.rmSync(lock, { recursive: true, force: true });
  return true;
}

export async function acquireLease(options: AcquireLeaseOptions): Promise<Lease> {
  const { target, lock, holder } = paths(options.leasesDir, options.mailboxId);
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const deadline = Date.now() + (options.waitMs ?? 0);
  const controller = new AbortController();
  let release: (() => Promise<void>) | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      release = await lockfile.lock(target, {
        realpath: false,
        lockfilePath: lock,
        stale: staleMs,
        update: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
        retries: 0,
        onCompromised: () => controller.abort(new MailmonError('lease_lost', `Lost the lease on mailbox ${options.mailboxId}.`, { hint: 'Another mailmon took it over; this sync stops without committing.' })),
      });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      if (breakDeadLease(options.leasesDir, options.mailboxId)) continue;
      if (Date.now() >= deadline || options.signal?.aborted) throw leaseHeld(options.leasesDir, options.mailboxId, options.waitMs ?? 0);
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, 25 * 2 ** Math.min(attempt, 4))));
    }
  }
  let epoch: number;
  try {
    epoch = options.bumpEpoch();
    const info: LeaseHolder = { pid: process.pid, hostname: os.hostname(), epoch, acquiredAt: Date.now(), purpose: options.purpose ?? 'sync' };
    writePrivateFile(holder, `${JSON.stringify(info)}\n`);
  } catch (error) {
    await release().catch(() => undefined);
    throw error;
  }
  let released = false;
  return {
    mailboxId: options.mailboxId,
    epoch,
    signal: controller.signal,
    release: async () => {
      if (released) return;
      released = true;
      if (controller.signal.aborted) return;
      try {
        const current = readLeaseHolder(options.leasesDir, options.mailboxId);
        if (current?.pid === process.pid && current.epoch === epoch) fs.rmSync(holder, { force: true });
        await release!();
      } catch {
        // Already released or taken over: nothing of ours is left to release.
      }
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
