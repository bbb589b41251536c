/** The `messages` columns as PostgreSQL returns them (jsonb decoded, bigints as strings), and their domain form. */
import type { LocalMessage } from '../../core/diff.js';
import type { MessageState } from '../../core/message-state.js';
import { num } from './pg-transaction.js';

/** Every column a LocalMessage is made from, with an optional table alias (`m.`). */
export function messageColumns(alias = ''): string {
  return ['id', 'thread_id', 'provider_message_id', 'provider_thread_id', 'label_ids', 'subject', 'from_address', 'to_addresses', 'cc_addresses', 'date_header',
    'message_id_header', 'in_reply_to', '"references"', 'snippet', 'internal_date', 'size_estimate', 'history_id', 'attachment_count', 'attachment_names']
    .map((column) => `${alias}${column}`).join(', ');
}

export interface MessageRow {
  id: string;
  thread_id: string;
  provider_message_id: string;
  provider_thread_id: string;
  label_ids: string[];
  subject: string | null;
  from_address: MessageState['from'];
  to_addresses: MessageState['to'] | null;
  cc_addresses: MessageState['cc'] | null;
  date_header: string | null;
  message_id_header: string | null;
  in_reply_to: string | null;
  references: string | null;
  snippet: string | null;
  internal_date: string | null;
  size_estimate: string | null;
  history_id: string | null;
  attachment_count: number;
  attachment_names: string[] | null;
}

export function rowToLocal(row: MessageRow): LocalMessage {
  return {
    messageId: row.id,
    threadId: row.thread_id,
    state: {
      providerMessageId: row.provider_message_id, providerThreadId: row.provider_thread_id, labelIds: row.label_ids, subject: row.subject, from: row.from_address ?? null,
      to: row.to_addresses ?? [], cc: row.cc_addresses ?? [], dateHeader: row.date_header, messageIdHeader: row.message_id_header, inReplyTo: row.in_reply_to,
      references: row.references, snippet: row.snippet, internalDate: num(row.internal_date), sizeEstimate: num(row.size_estimate), historyId: row.history_id,
      attachmentCount: row.attachment_count, attachmentNames: row.attachment_names ?? [],
    },
  };
}
