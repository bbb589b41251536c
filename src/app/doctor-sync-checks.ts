/**
 * doctor's sync checks, which also recover: sync runs left "running" by a process that died are
 * marked abandoned, and lease files whose holder is gone are removed. Both are safe at any time
 * (a live holder is never touched; fencing protects commits regardless).
 */
import { reloginHint } from '../core/fixture-mailbox.js';
import type { DoctorCheck } from './doctor.js';
import type { SqliteStore } from '../adapters/sqlite/database.js';
import type { HomeLayout } from '../adapters/system/home.js';
import { SyncRuns } from '../adapters/sqlite/sync-runs.js';
import { removeExpiredLeases } from '../adapters/system/lease.js';
import { pidAlive } from '../adapters/system/pid-file.js';


export function syncDoctorChecks(store: SqliteStore, home: HomeLayout): DoctorCheck[] {
  const recovered = new SyncRuns(store.sqlite).recoverAbandoned(pidAlive, Date.now());
  const removed = removeExpiredLeases(home.leases).length;
  const stuck = store.sqlite.prepare(`select email_address as emailAddress, gmail_api_url as gmailApiUrl from mailboxes where status = 'reauth_required'`).all() as Array<{ emailAddress: string; gmailApiUrl: string | null }>;
  return [
    { name: 'stuck syncs', ok: true, detail: recovered === 0 ? 'none' : `recovered ${recovered} sync run(s) left running by a crashed process` },
    { name: 'leases', ok: true, detail: removed === 0 ? 'no expired leases' : `removed ${removed} lease(s) held by processes that are gone` },
    stuck.length === 0
      ? { name: 'mailbox auth', ok: true, detail: 'every mailbox is authorized' }
      : { name: 'mailbox auth', ok: false, detail: `needs a new login: ${stuck.map((row) => row.emailAddress).join(', ')}`, fix: reloginHint(stuck[0]) },
  ];
}
