/**
 * `mailmon status`: one picture of this home — the daemon (up/down, uptime), each mailbox (status,
 * last success, lag, cursor, message count, last error), the event log (size, newest event),
 * listen consumers and how far behind they are, and endpoints. Reads the store, so it works
 * without a daemon; the daemon's live state is added when it answers.
 */
import type { DaemonLiveStatus, PushLiveState } from '../core/daemon-status.js';
import { progressSnapshot } from '../core/progress.js';
import type { MailboxHolder } from '../core/lease-holders.js';
import type { EndpointSummary } from './endpoint-queries.js';
import { watchViews, type WatchView } from './mailbox-queries.js';
import type { MailboxRow } from './ports/mailboxes.js';
import type { PushWatchRow } from './ports/push-watches.js';
import type { Storage } from './ports/storage.js';

export interface SyncProgressReport {
  phase: string;
  processed: number;
  total: number;
  percent: number;
  ratePerSecond: number;
  etaSeconds: number | null;
}

export interface StatusReport {
  generatedAt: number;
  daemon: { running: boolean; pid: number | null; uptimeMs: number | null; version: string | null };
  mailboxes: Array<{
    id: string;
    mailboxId: string;
    emailAddress: string;
    status: string;
    lastSuccessAt: number | null;
    lagMs: number | null;
    cursor: string | null;
    messageCount: number;
    lastError: string | null;
    syncing: boolean;
    /** The daemon (host, pid) holding the mailbox's lease now; null when none does. */
    holder: MailboxHolder | null;
    /** A full sync in progress: from the daemon live (every message), else from its last checkpoint (every page). */
    progress: SyncProgressReport | null;
    /** Gmail push: the mailbox's watch (active, expiring, expired, failed with reason); null without push. */
    push: WatchView | null;
  }>;
  events: { count: number; maxSequence: number; newest: { id: string; type: string; sequence: number; occurredAt: number } | null };
  consumers: Array<{ id: string; name: string; kind: string; target: string | null; lastSequence: number; behind: number; pid: number | null; heartbeatAt: number | null }>;
  endpoints: EndpointSummary[];
  /** Gmail push's pull loop, as the running daemon reports it (null: no daemon, or push off). */
  push: PushLiveState | null;
}

export interface StatusDeps {
  storage: Pick<Storage, 'mailboxes' | 'events' | 'pushWatches' | 'consumers'>;
  /** endpointsSummary(storage), read by the caller. */
  endpoints: EndpointSummary[];
  daemon: DaemonLiveStatus | null;
  now: number;
  isLeased: (mailboxId: string) => boolean;
  /** The daemon (host, pid) holding each held mailbox's lease. */
  holders?: ReadonlyMap<string, MailboxHolder>;
}

export async function statusReport(deps: StatusDeps): Promise<StatusReport> {
  const { mailboxes, events } = deps.storage;
  const maxSequence = await events.head();
  const newest = (await events.readLatest(1))[0];
  const rows = await mailboxes.list();
  const counts = await Promise.all(rows.map((mailbox) => mailboxes.messageCount(mailbox.id)));
  return {
    generatedAt: deps.now,
    daemon: { running: deps.daemon !== null, pid: deps.daemon?.pid ?? null, uptimeMs: deps.daemon?.uptimeMs ?? null, version: deps.daemon?.version ?? null },
    mailboxes: mailboxReports(rows, counts, await deps.storage.pushWatches.list(), deps),
    events: { count: await events.count(), maxSequence, newest: newest ? { id: newest.id, type: newest.type, sequence: newest.sequence, occurredAt: newest.occurredAt } : null },
    consumers: (await deps.storage.consumers.list()).map((consumer) => ({
      id: consumer.name,
      name: consumer.name,
      kind: consumer.kind,
      target: consumer.target,
      lastSequence: consumer.lastSequence,
      behind: Math.max(0, maxSequence - consumer.lastSequence),
      pid: consumer.pid,
      heartbeatAt: consumer.heartbeatAt,
    })),
    endpoints: deps.endpoints,
    push: deps.daemon?.push ?? null,
  };
}

function mailboxReports(rows: MailboxRow[], counts: number[], watchRows: PushWatchRow[], deps: StatusDeps): StatusReport['mailboxes'] {
  const watches = watchViews(watchRows, deps.now);
  const live = new Map((deps.daemon?.mailboxes ?? []).map((mailbox) => [mailbox.mailboxId, mailbox]));
  return rows.map((mailbox, index) => {
    const lastSuccessAt = live.get(mailbox.id)?.lastSuccessAt ?? mailbox.lastSuccessAt;
    return {
      id: mailbox.id,
      mailboxId: mailbox.id,
      emailAddress: mailbox.emailAddress,
      status: mailbox.status,
      lastSuccessAt,
      lagMs: lastSuccessAt === null ? null : Math.max(0, deps.now - lastSuccessAt),
      cursor: mailbox.historyId,
      messageCount: counts[index],
      // The daemon's live view wins: it knows about a failure the moment it happens.
      lastError: live.has(mailbox.id) ? live.get(mailbox.id)!.lastError : mailbox.lastError,
      syncing: deps.isLeased(mailbox.id),
      holder: deps.holders?.get(mailbox.id) ?? null,
      progress: syncProgress(live.get(mailbox.id)?.progress ?? null, mailbox.fullSyncCheckpoint, deps.now, deps.isLeased(mailbox.id)),
      push: watches.get(mailbox.id) ?? null,
    };
  });
}

function syncProgress(live: NonNullable<DaemonLiveStatus['mailboxes'][number]['progress']> | null, checkpoint: { processed: number; total: number; startedAt: number } | null, now: number, syncing: boolean): SyncProgressReport | null {
  if (live && live.kind !== 'incremental') {
    const snapshot = progressSnapshot(live.processed, live.total, live.startedAt, now, live.processedAtStart);
    return { phase: live.phase, ...snapshot, ratePerSecond: Math.round(snapshot.ratePerSecond) };
  }
  if (!checkpoint) return null;
  const snapshot = progressSnapshot(checkpoint.processed, Math.max(checkpoint.total, checkpoint.processed), checkpoint.startedAt, now);
  // A checkpoint with no sync running is a full sync waiting to be resumed: no rate, no ETA.
  if (!syncing) return { phase: 'paused', ...snapshot, ratePerSecond: 0, etaSeconds: null };
  return { phase: 'fetching', ...snapshot, ratePerSecond: Math.round(snapshot.ratePerSecond) };
}
