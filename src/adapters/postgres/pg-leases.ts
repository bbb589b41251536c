/**
 * The Leases port on PostgreSQL (src/app/ports/leases.ts): one `leases` row per held mailbox,
 * for many daemons on many machines. Guarantees:
 * - at most one holder: acquiring is one INSERT … ON CONFLICT that takes the row only when it is
 *   absent (released) or its heartbeat is older than the acquirer's stale period, judged by the
 *   DATABASE clock (now()), never a machine's own, so clock skew between daemons does not matter;
 * - the same transaction bumps mailboxes.lease_epoch and records it in the lease: a holder that
 *   was taken over can never commit (every sync commit is fenced by that epoch);
 * - a holder renews its heartbeat (by default every stale period / 3) while it holds the lease,
 *   and its `signal` aborts with lease_lost when a renewal finds the lease taken over, or when no
 *   renewal has succeeded for the stale period (the connection is gone: others may take it now);
 * - the holder id names the process (host, pid, a random part), so `status` can say who holds a
 *   mailbox, and removeDead can drop leases of processes gone on this host.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { MailmonError } from '../../core/errors.js';
import type { AcquireOptions, HeldLease, LeaseHolder, Leases } from '../../app/ports/leases.js';
import { pidAlive } from '../system/pid-file.js';
import { inTransaction, num, query, type PgHandle } from './pg-transaction.js';

const DEFAULT_STALE_MS = 30_000;
/** The database's clock in epoch milliseconds. */
const NOW_MS = '(extract(epoch from now()) * 1000)::bigint';

export interface PostgresLeaseOptions {
  /** How often a holder renews (default: the stale period / 3). */
  heartbeatMs?: number;
  /** This process's holder id (default: host, pid and a random part). */
  holderId?: string;
}

interface LeaseRow {
  mailbox_id: string;
  holder_id: string;
  purpose: string;
  epoch: string;
  acquired_at: string;
}

export function newHolderId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
}

/** host and pid from a holder id (host may itself contain ':'). */
function parseHolderId(holderId: string): { host: string; pid: number } | null {
  const match = /^(.*):(\d+):[0-9a-f]+$/.exec(holderId);
  return match ? { host: match[1], pid: Number(match[2]) } : null;
}

function toHolder(row: LeaseRow): LeaseHolder {
  const parsed = parseHolderId(row.holder_id);
  return { owner: parsed ? `pid ${parsed.pid} on ${parsed.host}` : row.holder_id, purpose: row.purpose, acquiredAt: num(row.acquired_at), epoch: num(row.epoch) };
}

export function postgresLeases(store: PgHandle, options: PostgresLeaseOptions = {}): Leases {
  const holderId = options.holderId ?? newHolderId();
  const holderOf = async (mailboxId: string) => {
    const rows = await query<LeaseRow>(store, 'select mailbox_id, holder_id, purpose, epoch, acquired_at from leases where mailbox_id = $1', [mailboxId]);
    return rows.rows[0] ? toHolder(rows.rows[0]) : null;
  };
  const removeWhere = async (where: string, params: unknown[]) => (await query<{ mailbox_id: string }>(store, `delete from leases where ${where} returning mailbox_id`, params)).rows.map((row) => row.mailbox_id).sort();
  return {
    acquire: (mailboxId, acquire = {}) => acquireLease(store, { holderId, mailboxId, heartbeatMs: options.heartbeatMs, holderOf, ...acquire }),
    holder: holderOf,
    async list() {
      const rows = await query<LeaseRow>(store, 'select mailbox_id, holder_id, purpose, epoch, acquired_at from leases order by mailbox_id');
      return rows.rows.map((row) => ({ mailboxId: row.mailbox_id, holder: toHolder(row) }));
    },
    removeDead: async () => removeWhere('holder_id = any($1::text[])', [await deadHolders(store, holderId)]),
    async removeExpired(staleMs = DEFAULT_STALE_MS) {
      const dead = await deadHolders(store, holderId);
      return removeWhere(`heartbeat_at < ${NOW_MS} - $1 or holder_id = any($2::text[])`, [staleMs, dead]);
    },
    releaseOwn: () => removeWhere('holder_id = $1', [holderId]),
  };
}

/** Holders on this host whose process is gone (other hosts' processes cannot be checked: their leases expire). */
async function deadHolders(store: PgHandle, self: string): Promise<string[]> {
  const rows = await query<{ holder_id: string }>(store, 'select distinct holder_id from leases');
  return rows.rows.map((row) => row.holder_id).filter((id) => {
    const parsed = parseHolderId(id);
    return id !== self && parsed !== null && parsed.host === os.hostname() && parsed.pid !== process.pid && !pidAlive(parsed.pid);
  });
}

interface Acquire extends AcquireOptions {
  holderId: string;
  mailboxId: string;
  heartbeatMs?: number;
  holderOf: (mailboxId: string) => Promise<LeaseHolder | null>;
}

async function acquireLease(store: PgHandle, request: Acquire): Promise<HeldLease> {
  const staleMs = request.staleMs ?? DEFAULT_STALE_MS;
  const deadline = performance.now() + (request.waitMs ?? 0);
  for (let attempt = 0; ; attempt++) {
    const epoch = await tryTake(store, request, staleMs);
    if (epoch !== null) return holdLease(store, request, epoch, staleMs);
    if (performance.now() >= deadline || request.signal?.aborted) throw await leaseHeld(request);
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, 20 * 2 ** Math.min(attempt, 4))));
  }
}

/** One transaction: take the lease if free or stale, bump the fencing epoch. null: held by another. */
function tryTake(store: PgHandle, request: Acquire, staleMs: number): Promise<number | null> {
  return inTransaction(store, async (client) => {
    const taken = await client.query(`insert into leases (mailbox_id, holder_id, purpose, epoch, acquired_at, heartbeat_at, expires_at)
      select id, $2, $3, lease_epoch, ${NOW_MS}, ${NOW_MS}, ${NOW_MS} + $4 from mailboxes where id = $1
      on conflict (mailbox_id) do update set holder_id = excluded.holder_id, purpose = excluded.purpose, acquired_at = excluded.acquired_at,
        heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at
      where leases.heartbeat_at < excluded.heartbeat_at - $4
      returning mailbox_id`, [request.mailboxId, request.holderId, request.purpose ?? 'sync', staleMs]);
    if (taken.rowCount !== 1) {
      const exists = await client.query('select 1 from mailboxes where id = $1', [request.mailboxId]);
      if (exists.rowCount === 0) throw new MailmonError('mailbox_not_found', `No mailbox "${request.mailboxId}".`, { hint: 'Run "mailmon mailboxes" to list them.' });
      return null;
    }
    const bumped = await client.query<{ epoch: string }>('update mailboxes set lease_epoch = lease_epoch + 1 where id = $1 returning lease_epoch as epoch', [request.mailboxId]);
    const epoch = num(bumped.rows[0].epoch);
    await client.query('update leases set epoch = $1 where mailbox_id = $2', [epoch, request.mailboxId]);
    return epoch;
  });
}

async function leaseHeld(request: Acquire): Promise<MailmonError> {
  const holder = await request.holderOf(request.mailboxId).catch(() => null);
  const who = holder ? `${holder.owner} (${holder.purpose})` : 'another process';
  return new MailmonError('lease_held', `Mailbox ${request.mailboxId} is being synced by ${who}.`, {
    hint: (request.waitMs ?? 0) > 0 ? `Waited ${Math.round((request.waitMs ?? 0) / 1000)}s. Try again later, or pass a longer --wait.` : 'Wait for it to finish, or pass --wait SECONDS to wait for it.',
  });
}

/** The held lease: heartbeats until released or lost. */
function holdLease(store: PgHandle, request: Acquire, epoch: number, staleMs: number): HeldLease {
  const controller = new AbortController();
  const key = [request.mailboxId, request.holderId, epoch];
  // When the last successful renewal was sent (the store set the expiry after that, so the
  // lease is ours for at least the stale period from here).
  let renewedAt = performance.now();
  const renewedAtWall = () => Date.now() - (performance.now() - renewedAt);
  let beating = false;
  const lost = (why: string) => {
    clearInterval(heartbeat);
    controller.abort(new MailmonError('lease_lost', `Lost the lease on mailbox ${request.mailboxId} (${why}).`, { hint: 'Another mailmon took it over; this sync stops without committing.' }));
  };
  const beat = async () => {
    if (controller.signal.aborted) return;
    // Failing or hanging renewals: others may consider the lease expired from now on.
    if (performance.now() - renewedAt > staleMs) return lost('no renewal reached the store for the stale period');
    if (beating) return;
    beating = true;
    try {
      const sentAt = performance.now();
      const renewed = await query(store, `update leases set heartbeat_at = ${NOW_MS}, expires_at = ${NOW_MS} + $4 where mailbox_id = $1 and holder_id = $2 and epoch = $3`, [...key, staleMs]);
      if (renewed.rowCount === 1) renewedAt = sentAt;
      else lost('taken over after its heartbeat stalled');
    } catch {
      // The store is unreachable: the next beats try again, until the stale period is over.
    } finally {
      beating = false;
    }
  };
  const heartbeat = setInterval(() => void beat(), request.heartbeatMs ?? Math.max(10, Math.floor(staleMs / 3)));
  heartbeat.unref();
  let released = false;
  return {
    mailboxId: request.mailboxId,
    epoch,
    signal: controller.signal,
    keptUntil: () => renewedAtWall() + staleMs,
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      await query(store, 'delete from leases where mailbox_id = $1 and holder_id = $2 and epoch = $3', key);
    },
  };
}
