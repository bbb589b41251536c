/**
 * `doctor` on a shared PostgreSQL store: can this machine reach it, is its schema this
 * mailmon's, are the clocks of this machine and of every live daemon close to the database's
 * (leases expire by time: a clock far off makes a daemon hold too long or give up too early),
 * and are there stuck claims — mailbox leases held by a daemon that no longer beats (they
 * expire on their own within one lease period; after that they are stuck). Through ports only.
 */
import { holderIdentity } from '../core/lease-holders.js';
import type { Clock } from './ports/clock.js';
import type { Leases } from './ports/leases.js';
import type { Storage } from './ports/storage.js';
import type { DoctorCheck } from './doctor.js';

export interface SharedStoreDoctorDeps extends Pick<Storage, 'daemons'> {
  leases: Pick<Leases, 'list'>;
  clock: Clock;
  display: string;
  /** Applied and shipped migrations of the database. */
  migrations: () => Promise<{ applied: number; shipped: number }>;
  /** A daemon silent for longer is gone (the lease expiry). */
  livenessMs: number;
  /** Clock differences above this fail the check. */
  maxSkewMs?: number;
}

export async function sharedStoreChecks(deps: SharedStoreDoctorDeps): Promise<DoctorCheck[]> {
  const sent = deps.clock.now();
  let storeTime: number;
  try {
    storeTime = await deps.daemons.storeTime();
  } catch (error) {
    return [{ name: 'store reachable', ok: false, detail: `${deps.display}: ${(error as Error)?.message ?? String(error)}`, fix: (error as { hint?: string })?.hint ?? 'Check store.url / MAILMON_DATABASE_URL and that PostgreSQL accepts connections.' }];
  }
  const received = deps.clock.now();
  const checks: DoctorCheck[] = [{ name: 'store reachable', ok: true, detail: `${deps.display} (${received - sent} ms round trip)` }];
  checks.push(await migrationCheck(deps));
  checks.push(skewCheck(storeTime - (sent + received) / 2, received - sent, deps.maxSkewMs ?? 2_000));
  checks.push(...(await daemonChecks(deps, storeTime)));
  return checks;
}

async function migrationCheck(deps: SharedStoreDoctorDeps): Promise<DoctorCheck> {
  const { applied, shipped } = await deps.migrations();
  return { name: 'migrations', ok: applied === shipped, detail: `${applied} of ${shipped} applied`, fix: applied === shipped ? undefined : 'Re-run any mailmon command to apply them (under an advisory lock: safe while daemons run).' };
}

function skewCheck(skewMs: number, roundTripMs: number, maxSkewMs: number): DoctorCheck {
  const ok = Math.abs(skewMs) <= maxSkewMs + roundTripMs / 2;
  return { name: 'clock skew', ok, detail: `this machine is ${Math.abs(Math.round(skewMs))} ms ${skewMs > 0 ? 'behind' : 'ahead of'} the database`, fix: ok ? undefined : 'Synchronise this machine\'s clock (NTP: timedatectl set-ntp true); leases expire by time.' };
}

/** Live daemons whose heartbeat lies in the database's future (clock ahead), and leases held by daemons that stopped beating. */
async function daemonChecks(deps: SharedStoreDoctorDeps, storeTime: number): Promise<DoctorCheck[]> {
  const maxSkewMs = deps.maxSkewMs ?? 2_000;
  const [members, live, leases] = await Promise.all([deps.daemons.list(), deps.daemons.live(storeTime, deps.livenessMs), deps.leases.list()]);
  const ahead = members.filter((member) => member.heartbeatAt - storeTime > maxSkewMs);
  const checks: DoctorCheck[] = [{
    name: 'daemon clocks',
    ok: ahead.length === 0,
    detail: ahead.length === 0 ? `${live.length} live daemon${live.length === 1 ? '' : 's'}, clocks within ${maxSkewMs} ms` : `clock ahead of the database: ${ahead.map((member) => `${member.host} (pid ${member.pid}) by ${member.heartbeatAt - storeTime} ms`).join(', ')}`,
    fix: ahead.length === 0 ? undefined : 'Synchronise those machines\' clocks (NTP).',
  }];
  const liveIds = new Set(live.map((member) => member.holderId));
  const stuck = leases.filter((lease) => {
    const holder = lease.holder ? holderIdentity(lease.holder.owner, members) : null;
    return holder?.holderId != null && !liveIds.has(holder.holderId) && storeTime - (lease.holder?.acquiredAt ?? storeTime) > deps.livenessMs;
  });
  checks.push({
    name: 'stuck claims',
    ok: stuck.length === 0,
    detail: stuck.length === 0 ? `${leases.length} mailbox lease${leases.length === 1 ? '' : 's'} held, all by live daemons` : `${stuck.length} lease${stuck.length === 1 ? '' : 's'} held by daemons that stopped: ${stuck.slice(0, 5).map((lease) => `${lease.mailboxId} (${lease.holder?.owner})`).join(', ')}`,
    fix: stuck.length === 0 ? undefined : 'They are taken over once expired; if they stay, check the daemons\' logs and clocks, then "mailmon doctor" again.',
  });
  return checks;
}
