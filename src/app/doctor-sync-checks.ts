/**
 * doctor's sync checks, which also recover: leases whose holder stopped renewing (or is gone) are
 * removed, then sync runs whose holder is gone are marked abandoned (src/app/recover-sync-runs.ts).
 * Both are safe at any time (a live holder is never touched; fencing protects commits regardless).
 */
import { reloginHint } from '../core/fixture-mailbox.js';
import type { DoctorCheck } from './doctor.js';
import type { Clock } from './ports/clock.js';
import type { Leases } from './ports/leases.js';
import type { Storage } from './ports/storage.js';
import { recoverSyncRuns } from './recover-sync-runs.js';

export interface SyncDoctorDeps {
  storage: Pick<Storage, 'mailboxes' | 'syncRuns'>;
  leases: Pick<Leases, 'holder' | 'removeExpired'>;
  clock: Pick<Clock, 'now'>;
}

export async function syncDoctorChecks(deps: SyncDoctorDeps): Promise<DoctorCheck[]> {
  // Expired leases first: their runs are then recognised as holderless.
  const removed = (await deps.leases.removeExpired()).length;
  const recovered = await recoverSyncRuns({ ...deps.storage, leases: deps.leases, clock: deps.clock });
  const stuck = (await deps.storage.mailboxes.list()).filter((mailbox) => mailbox.status === 'reauth_required');
  return [
    { name: 'stuck syncs', ok: true, detail: recovered === 0 ? 'none' : `recovered ${recovered} sync ${recovered === 1 ? 'run' : 'runs'} left running by a crashed process` },
    { name: 'leases', ok: true, detail: removed === 0 ? 'no expired leases' : `removed ${removed} ${removed === 1 ? 'lease' : 'leases'} held by processes that are gone` },
    stuck.length === 0
      ? { name: 'mailbox auth', ok: true, detail: 'every mailbox is authorized' }
      : { name: 'mailbox auth', ok: false, detail: `needs a new login: ${stuck.map((row) => row.emailAddress).join(', ')}`, fix: reloginHint(stuck[0]) },
  ];
}
