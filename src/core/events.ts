/**
 * The event log's types (PRODUCT §5). Provisional copy of the contract; the signing branch
 * owns the full version (schema, filters) and replaces this file on merge.
 */
export const EVENT_TYPES = ['message.created', 'message.updated', 'message.deleted', 'thread.updated', 'mailbox.status_changed', 'mailbox.resynced'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export interface EmailAddress { name: string | null; address: string }
export interface MessageSummary { messageId: string; threadId: string; providerMessageId: string; providerThreadId: string; subject: string | null; from: EmailAddress | null; to: EmailAddress[]; cc: EmailAddress[]; snippet: string | null; receivedAt: string | null; labelIds: string[]; hasAttachments: boolean; attachmentCount: number }
export type MessageCreatedData = MessageSummary;
export interface MessageUpdatedData extends MessageSummary { labelsAdded: string[]; labelsRemoved: string[]; previousLabelIds: string[] }
export interface MessageDeletedData { messageId: string; threadId: string; providerMessageId: string; providerThreadId: string; subject: string | null; labelIds: string[] }
export interface ThreadUpdatedData { threadId: string; providerThreadId: string; subject: string | null; messageCount: number; labelIds: string[]; messageIds: string[]; lastMessageAt: string | null; deleted: boolean }
export interface MailboxStatusChangedData { previousStatus: string | null; status: string; reason: string | null }
export interface MailboxResyncedData { reason: 'history_expired' | 'requested'; previousHistoryId: string | null; historyId: string; created: number; updated: number; deleted: number }
interface EnvelopeBase<T extends EventType, D> { id: string; object: 'event'; type: T; schemaVersion: 1; sequence: number; occurredAt: string; mailboxId: string; emailAddress: string; data: D }
export type MailmonEvent =
  | EnvelopeBase<'message.created', MessageCreatedData>
  | EnvelopeBase<'message.updated', MessageUpdatedData>
  | EnvelopeBase<'message.deleted', MessageDeletedData>
  | EnvelopeBase<'thread.updated', ThreadUpdatedData>
  | EnvelopeBase<'mailbox.status_changed', MailboxStatusChangedData>
  | EnvelopeBase<'mailbox.resynced', MailboxResyncedData>;
export type EventOf<T extends EventType> = Extract<MailmonEvent, { type: T }>;
