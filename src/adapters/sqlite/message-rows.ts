/**
 * The one column list of a stored message and its mapping to the domain's LocalMessage: the
 * sync commit and the message queries read messages through these, so a new column is added once.
 */
import type { LocalMessage } from '../../core/diff.js';

export interface MessageRow {
  id: string;
  threadId: string;
  providerMessageId: string;
  providerThreadId: string;
  labelIds: string;
  subject: string | null;
  fromAddress: string | null;
  toAddresses: string | null;
  ccAddresses: string | null;
  dateHeader: string | null;
  messageIdHeader: string | null;
  inReplyTo: string | null;
  references: string | null;
  snippet: string | null;
  internalDate: number | null;
  sizeEstimate: number | null;
  historyId: string | null;
  attachmentCount: number;
  attachmentNames: string | null;
}

const COLUMNS: Array<[column: string, field: keyof MessageRow]> = [
  ['id', 'id'], ['thread_id', 'threadId'], ['provider_message_id', 'providerMessageId'], ['provider_thread_id', 'providerThreadId'],
  ['label_ids', 'labelIds'], ['subject', 'subject'], ['from_address', 'fromAddress'], ['to_addresses', 'toAddresses'], ['cc_addresses', 'ccAddresses'],
  ['date_header', 'dateHeader'], ['message_id_header', 'messageIdHeader'], ['in_reply_to', 'inReplyTo'], ['"references"', 'references'],
  ['snippet', 'snippet'], ['internal_date', 'internalDate'], ['size_estimate', 'sizeEstimate'], ['history_id', 'historyId'],
  ['attachment_count', 'attachmentCount'], ['attachment_names', 'attachmentNames'],
];

/** The select list of a MessageRow, its columns qualified by `alias` when the query joins. */
export function messageColumns(alias?: string): string {
  const prefix = alias ? `${alias}.` : '';
  return COLUMNS.map(([column, field]) => `${prefix}${column} as "${field}"`).join(', ');
}

export const MESSAGE_COLUMNS = messageColumns();

export function rowToLocal(row: MessageRow): LocalMessage {
  return {
    messageId: row.id,
    threadId: row.threadId,
    state: {
      providerMessageId: row.providerMessageId,
      providerThreadId: row.providerThreadId,
      labelIds: JSON.parse(row.labelIds) as string[],
      subject: row.subject,
      from: row.fromAddress ? JSON.parse(row.fromAddress) : null,
      to: row.toAddresses ? JSON.parse(row.toAddresses) : [],
      cc: row.ccAddresses ? JSON.parse(row.ccAddresses) : [],
      dateHeader: row.dateHeader,
      messageIdHeader: row.messageIdHeader,
      inReplyTo: row.inReplyTo,
      references: row.references,
      snippet: row.snippet,
      internalDate: row.internalDate,
      sizeEstimate: row.sizeEstimate,
      historyId: row.historyId,
      attachmentCount: row.attachmentCount,
      attachmentNames: row.attachmentNames ? JSON.parse(row.attachmentNames) : [],
    },
  };
}
