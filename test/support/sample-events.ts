/** One realistic event of every type, typed against the public event types (for schema and signature tests). */
import type { EventType, MailmonEvent } from '../../src/core/events.js';

const envelope = { object: 'event', schemaVersion: 1, mailboxId: 'mbx_01jt0000000000000000000000', emailAddress: 'dev@example.com' } as const;
const summary = {
  messageId: 'msg_01jt0000000000000000000001',
  threadId: 'thr_01jt0000000000000000000001',
  providerMessageId: '195f8c2a9d1e0b7f',
  providerThreadId: '195f8b0c11aa2d3e',
  subject: 'Hello — ünïcödé ✓',
  from: { name: 'Ada Lovelace', address: 'ada@example.com' },
  to: [{ name: null, address: 'dev@example.com' }],
  cc: [],
  snippet: 'Are we still on for Tuesday?',
  receivedAt: '2026-05-04T09:59:58.000Z',
  labelIds: ['INBOX', 'UNREAD'],
  hasAttachments: true,
  attachmentCount: 2,
};

export const sampleEvents: { [T in EventType]: Extract<MailmonEvent, { type: T }> } = {
  'message.created': { ...envelope, id: 'evt_01jt0000000000000000000001', type: 'message.created', sequence: 1, occurredAt: '2026-05-04T10:00:00.000Z', data: summary },
  'message.updated': {
    ...envelope, id: 'evt_01jt0000000000000000000002', type: 'message.updated', sequence: 2, occurredAt: '2026-05-04T10:00:01.000Z',
    data: { ...summary, labelIds: ['INBOX'], labelsAdded: [], labelsRemoved: ['UNREAD'], previousLabelIds: ['INBOX', 'UNREAD'] },
  },
  'message.deleted': {
    ...envelope, id: 'evt_01jt0000000000000000000003', type: 'message.deleted', sequence: 3, occurredAt: '2026-05-04T10:00:02.000Z',
    data: { messageId: summary.messageId, threadId: summary.threadId, providerMessageId: summary.providerMessageId, providerThreadId: summary.providerThreadId, subject: null, labelIds: ['INBOX'] },
  },
  'thread.updated': {
    ...envelope, id: 'evt_01jt0000000000000000000004', type: 'thread.updated', sequence: 4, occurredAt: '2026-05-04T10:00:02.000Z',
    data: { threadId: summary.threadId, providerThreadId: summary.providerThreadId, subject: summary.subject, messageCount: 0, labelIds: [], messageIds: [], lastMessageAt: null, deleted: true },
  },
  'mailbox.status_changed': {
    ...envelope, id: 'evt_01jt0000000000000000000005', type: 'mailbox.status_changed', sequence: 5, occurredAt: '2026-05-04T10:05:00.000Z',
    data: { previousStatus: 'active', status: 'reauth_required', reason: 'invalid_grant' },
  },
  'mailbox.resynced': {
    ...envelope, id: 'evt_01jt0000000000000000000006', type: 'mailbox.resynced', sequence: 6, occurredAt: '2026-05-04T10:06:00.000Z',
    data: { reason: 'history_expired', previousHistoryId: '1200', historyId: '1873', created: 3, updated: 1, deleted: 0 },
  },
};

export const sampleEventList: MailmonEvent[] = Object.values(sampleEvents);
