/**
 * The event log's public shapes: one envelope, one schema version, one data shape
 * per event type. These types are exported from the `mailmon` package, so consumers and the
 * sync engine agree on them at compile time; `event-schema.ts` states the same at run time.
 * Also the pure event-type filters used by `--events` (`message.*`, `*`, exact names).
 */
import { closest } from 'fastest-levenshtein';
import { MailmonError } from './errors.js';

export const EVENT_TYPES = ['message.created', 'message.updated', 'message.deleted', 'thread.updated', 'mailbox.status_changed', 'mailbox.resynced'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The version of the envelope and data shapes; bumped only for a breaking change. */
export const EVENT_SCHEMA_VERSION = 1;

export interface EmailAddress {
  name: string | null;
  address: string;
}

/** What a consumer needs to know about a message without fetching it. */
export interface MessageSummary {
  /** mailmon's id (`msg_…`), stable for the life of the message. */
  messageId: string;
  /** mailmon's thread id (`thr_…`). */
  threadId: string;
  /** Gmail's message id. */
  providerMessageId: string;
  /** Gmail's thread id. */
  providerThreadId: string;
  subject: string | null;
  from: EmailAddress | null;
  to: EmailAddress[];
  cc: EmailAddress[];
  snippet: string | null;
  /** ISO-8601 (Gmail's internalDate). */
  receivedAt: string | null;
  labelIds: string[];
  hasAttachments: boolean;
  attachmentCount: number;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a named type per event, same fields as the summary today
export interface MessageCreatedData extends MessageSummary {}

export interface MessageUpdatedData extends MessageSummary {
  labelsAdded: string[];
  labelsRemoved: string[];
  previousLabelIds: string[];
}

export interface MessageDeletedData {
  messageId: string;
  threadId: string;
  providerMessageId: string;
  providerThreadId: string;
  subject: string | null;
  /** The last labels known before the message disappeared. */
  labelIds: string[];
}

export interface ThreadUpdatedData {
  threadId: string;
  providerThreadId: string;
  subject: string | null;
  messageCount: number;
  labelIds: string[];
  /** Gmail message ids of the thread's messages. */
  messageIds: string[];
  /** ISO-8601. */
  lastMessageAt: string | null;
  /** True when the thread's last message is gone. */
  deleted: boolean;
}

export interface MailboxStatusChangedData {
  previousStatus: string | null;
  status: string;
  reason: string | null;
}

export interface MailboxResyncedData {
  reason: 'history_expired' | 'requested';
  previousHistoryId: string | null;
  historyId: string;
  created: number;
  updated: number;
  deleted: number;
}

/** Each event type and the shape of its `data`. */
export interface EventDataByType {
  'message.created': MessageCreatedData;
  'message.updated': MessageUpdatedData;
  'message.deleted': MessageDeletedData;
  'thread.updated': ThreadUpdatedData;
  'mailbox.status_changed': MailboxStatusChangedData;
  'mailbox.resynced': MailboxResyncedData;
}

interface EnvelopeBase<T extends EventType, D> {
  /** `evt_…`: stable across retries and replays; dedupe by it. */
  id: string;
  object: 'event';
  type: T;
  schemaVersion: 1;
  /** Global, gap-free order of the log. */
  sequence: number;
  /** ISO-8601: when mailmon recorded the change. */
  occurredAt: string;
  mailboxId: string;
  emailAddress: string;
  data: D;
}

export type MessageCreatedEvent = EnvelopeBase<'message.created', MessageCreatedData>;
export type MessageUpdatedEvent = EnvelopeBase<'message.updated', MessageUpdatedData>;
export type MessageDeletedEvent = EnvelopeBase<'message.deleted', MessageDeletedData>;
export type ThreadUpdatedEvent = EnvelopeBase<'thread.updated', ThreadUpdatedData>;
export type MailboxStatusChangedEvent = EnvelopeBase<'mailbox.status_changed', MailboxStatusChangedData>;
export type MailboxResyncedEvent = EnvelopeBase<'mailbox.resynced', MailboxResyncedData>;

export type MailmonEvent = MessageCreatedEvent | MessageUpdatedEvent | MessageDeletedEvent | ThreadUpdatedEvent | MailboxStatusChangedEvent | MailboxResyncedEvent;
export type EventOf<T extends EventType> = Extract<MailmonEvent, { type: T }>;

// Compile-time guard: the union above has exactly one member per EVENT_TYPES entry.
type _EveryTypeHasAnEnvelope = [EventType] extends [MailmonEvent['type']] ? ([MailmonEvent['type']] extends [EventType] ? true : never) : never;
const _everyTypeHasAnEnvelope: _EveryTypeHasAnEnvelope = true;
void _everyTypeHasAnEnvelope;

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * True when `type` matches a filter pattern: `*` (everything), `prefix.*` (a family such as
 * `message.*`) or an exact type name.
 */
export function matchesEventType(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** True when `type` matches any pattern; an empty list matches everything (no filter). */
export function matchesAnyEventType(patterns: readonly string[], type: string): boolean {
  return patterns.length === 0 || patterns.some((pattern) => matchesEventType(pattern, type));
}

/**
 * Parses a `--events` value (`message.*,thread.updated`) into patterns. Every entry must name a
 * real type or a family that has one, so a typo fails loudly instead of silently matching
 * nothing. Duplicates are dropped; order is kept.
 */
export function parseEventTypeList(input: string): string[] {
  const entries = input.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) {
    throw new MailmonError('usage', 'No event types given.', { hint: `Use a comma-separated list of ${validFormsText()}.` });
  }
  for (const entry of entries) {
    if (!EVENT_TYPES.some((type) => matchesEventType(entry, type)) || (entry.includes('*') && entry !== '*' && !/^[a-z_]+\.\*$/.test(entry))) {
      const suggestion = closest(entry, [...EVENT_TYPES, ...eventFamilies()]);
      throw new MailmonError('usage', `Unknown event type "${entry}".${suggestion ? ` Did you mean "${suggestion}"?` : ''}`, {
        hint: `Valid: ${validFormsText()}.`,
        details: { validTypes: [...EVENT_TYPES] },
      });
    }
  }
  return [...new Set(entries)];
}

function eventFamilies(): string[] {
  return [...new Set(EVENT_TYPES.map((type) => `${type.split('.')[0]}.*`))];
}

function validFormsText(): string {
  return `${EVENT_TYPES.join(', ')}, or a wildcard (${eventFamilies().join(', ')}, *)`;
}
