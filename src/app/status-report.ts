import type { EndpointSummary } from './endpoint-queries.js';
/**
 * `mailmon status`: one picture of this home — the daemon (up/down, uptime), each mailbox (status,
 * last success, lag, cursor, message count, last error), the event log (size, newest event),
 * listen consumers and how far behind they are, and endpoints. Reads SQLite directly, so it
 * works without a daemon; the daemon's live state is added when it answers.
 */
import type Database from 'better-sqlite3';
import type { DaemonLiveStatus, PushLiveState } from '../core/daemon-status.js';
import { progressSnapshot } from '../core/progress.js';
import type { MailboxHolder } from '../core/lease-holders.js';
import { Consumers } from '../adapters/sqlite/consumers.js';
import { EventLog } from '../adapters/sqlite/event-log.js';
import { MailboxRepository } from '../adapters/sqlite/mailbox-repository.js';
import { listPushWatchRows } from '../adapters/sqlite/push-watches.js';
import { watchViews, type WatchView } from './mailbox-queries.js';

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

/** `endpoints` is endpointsSummary(storage), read by the caller (it is asynchronous; this report is not yet). */
export function statusReport(deps: { sqlite: Database.Database; endpoints: EndpointSummary[]; daemon: DaemonLiveStatus | null; now: number; isLeased: (mailboxId: string) => boolean; holders?: ReadonlyMap<string, MailboxHolder> }): StatusReport {
  const repository = new MailboxRepository(deps.sqlite);
  const log = new EventLog(deps.sqlite);
  const maxSequence = log.maxSequence();
  const newest = log.readLatest(1)[0];
  const watches = watchViews(listPushWatchRows(deps.sqlite), deps.now);
  const live = new Map((deps.daemon?.mailboxes ?? []).map((mailbox) => [mailbox.mailboxId, mailbox]));
  return {
    generatedAt: deps.now,
    daemon: { running: deps.daemon !== null, pid: deps.daemon?.pid ?? null, uptimeMs: deps.daemon?.uptimeMs ?? null, version: deps.daemon?.version ?? null },
    mailboxes: repository.list().map((mailbox) => {
      const lastSuccessAt = live.get(mailbox.id)?.lastSuccessAt ?? mailbox.lastSuccessAt;
      return {
        id: mailbox.id,
        mailboxId: mailbox.id,
        emailAddress: mailbox.emailAddress,
        status: mailbox.status,
        lastSuccessAt,
        lagMs: lastSuccessAt === null ? null : Math.max(0, deps.now - lastSuccessAt),
        cursor: mailbox.historyId,
        messageCount: repository.messageCount(mailbox.id),
        // The daemon's live view wins: it knows about a failure the moment it happens.
        lastError: live.has(mailbox.id) ? live.get(mailbox.id)!.lastError : mailbox.lastError,
        syncing: deps.isLeased(mailbox.id),
        holder: deps.holders?.get(mailbox.id) ?? null,
        progress: syncProgress(live.get(mailbox.id)?.progress ?? null, mailbox.fullSyncCheckpoint, deps.now, deps.isLeased(mailbox.id)),
        push: watches.get(mailbox.id) ?? null,
      };
    }),
    events: { count: log.count(), maxSequence, newest: newest ? { id: newest.id, type: newest.type, sequence: newest.sequence, occurredAt: newest.occurredAt } : null },
    consumers: new Consumers(deps.sqlite).list().map((consumer) => ({
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
