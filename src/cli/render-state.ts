/** Human renderings of mailboxes, messages, threads and events (stdout tables and detail views). */
import type { MailboxView } from '../app/mailbox-queries.js';
import type { MessageView, ThreadView } from '../app/message-queries.js';
import type { MailmonEvent } from '../core/events.js';
import { ago } from './output.js';
import { table } from './table.js';

const clip = (text: string | null | undefined, width: number) => {
  const value = (text ?? '').replace(/\s+/g, ' ').trim();
  return value.length > width ? `${value.slice(0, width - 1)}…` : value;
};

export function renderMailboxes(rows: MailboxView[]): string {
  if (rows.length === 0) return 'No mailboxes yet. Run "mailmon login" (or "mailmon login --fixture URL").\n';
  return table(rows, [
    { header: 'id', value: (row) => row.id },
    { header: 'address', value: (row) => row.emailAddress },
    { header: 'status', value: (row) => row.status },
    { header: 'sync', value: (row) => (row.fullSync ? `full sync ${row.fullSync.processed}/${row.fullSync.total} (${row.fullSync.total > 0 ? Math.min(100, Math.round((row.fullSync.processed / row.fullSync.total) * 100)) : 0}%)` : row.lastError ? 'failing' : row.syncState) },
    { header: 'cursor', value: (row) => row.historyId ?? '-' },
    // The last SUCCESS: a failed attempt must not read as "synced 5s ago".
    { header: 'last success', value: (row) => (row.lastSuccessAt ? ago(Date.parse(row.lastSuccessAt)) : 'never') },
    { header: 'messages', value: (row) => String(row.messageCount) },
    { header: 'last error', value: (row) => (row.lastError ? `${clip(row.lastError, 60)}${row.lastSyncAt ? ` (${ago(Date.parse(row.lastSyncAt))})` : ''}` : '-') },
    ...(rows.some((row) => row.push) ? [{ header: 'push', value: (row: MailboxView) => pushCell(row.push) }] : []),
  ]);
}

/** A watch in one cell: "active", "expiring", "failed: <reason>". */
export function pushCell(push: MailboxView['push']): string {
  if (!push) return '-';
  return push.state === 'failed' && push.error ? `failed: ${clip(push.error, 60)}` : push.state;
}

export function renderMessages(rows: MessageView[]): string {
  if (rows.length === 0) return 'No messages.\n';
  return table(rows, [
    { header: 'id', value: (row) => row.messageId },
    { header: 'received', value: (row) => row.receivedAt?.slice(0, 16).replace('T', ' ') ?? '-' },
    { header: 'from', value: (row) => clip(row.from?.name || row.from?.address, 24) },
    { header: 'subject', value: (row) => clip(row.subject, 40) },
    { header: 'labels', value: (row) => row.labelIds.join(',') },
  ]);
}

export function renderMessage(message: MessageView): string {
  const address = (a: { name: string | null; address: string }) => (a.name ? `${a.name} <${a.address}>` : a.address);
  return [
    `id          ${message.messageId} (Gmail ${message.providerMessageId})`,
    `thread      ${message.threadId} (Gmail ${message.providerThreadId})`,
    `mailbox     ${message.mailboxId}`,
    `from        ${message.from ? address(message.from) : '-'}`,
    `to          ${message.to.map(address).join(', ') || '-'}`,
    ...(message.cc.length > 0 ? [`cc          ${message.cc.map(address).join(', ')}`] : []),
    `subject     ${message.subject ?? '-'}`,
    `received    ${message.receivedAt ?? '-'}`,
    `labels      ${message.labelIds.join(', ') || '-'}`,
    `attachments ${message.attachmentCount}${message.attachmentNames.length > 0 ? ` (${message.attachmentNames.join(', ')})` : ''}`,
    `snippet     ${message.snippet ?? ''}`,
  ].join('\n');
}

export function renderThreads(rows: ThreadView[]): string {
  if (rows.length === 0) return 'No threads.\n';
  return table(rows, [
    { header: 'id', value: (row) => row.threadId },
    { header: 'last message', value: (row) => row.lastMessageAt?.slice(0, 16).replace('T', ' ') ?? '-' },
    { header: 'messages', value: (row) => String(row.messageCount) },
    { header: 'subject', value: (row) => clip(row.subject, 44) },
    { header: 'labels', value: (row) => row.labelIds.join(',') },
  ]);
}

/** One line describing what an event is about (subject, labels, status). */
export function eventSummary(event: MailmonEvent): string {
  switch (event.type) {
    case 'message.created':
      return `${clip(event.data.subject, 40)} from ${event.data.from?.address ?? '?'}`;
    case 'message.updated':
      return `${clip(event.data.subject, 32)} ${[...event.data.labelsAdded.map((l) => `+${l}`), ...event.data.labelsRemoved.map((l) => `-${l}`)].join(' ')}`;
    case 'message.deleted':
      return clip(event.data.subject, 40);
    case 'thread.updated':
      return `${clip(event.data.subject, 32)} (${event.data.messageCount} message${event.data.messageCount === 1 ? '' : 's'}${event.data.deleted ? ', deleted' : ''})`;
    case 'mailbox.status_changed':
      return `${event.data.previousStatus ?? '-'} → ${event.data.status}${event.data.reason ? ` (${event.data.reason})` : ''}`;
    case 'mailbox.resynced':
      return `${event.data.reason}: ${event.data.created} created, ${event.data.updated} updated, ${event.data.deleted} deleted`;
  }
}

export function renderEvents(events: MailmonEvent[], options: { mailboxColumn?: boolean } = {}): string {
  if (events.length === 0) return 'No events.\n';
  return table(events, [
    { header: 'seq', value: (event) => String(event.sequence) },
    { header: 'time', value: (event) => event.occurredAt.slice(0, 19).replace('T', ' ') },
    ...(options.mailboxColumn ? [{ header: 'mailbox', value: (event: MailmonEvent) => event.emailAddress }] : []),
    { header: 'type', value: (event) => event.type },
    { header: 'id', value: (event) => event.id },
    { header: 'summary', value: (event) => eventSummary(event) },
  ]);
}
