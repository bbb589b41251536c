/**
 * Gmail as the use cases see it: one mailbox's API, already authorized. Every call retries what
 * is worth retrying (rate limits, 5xx) itself; what reaches the caller is final. Implemented by
 * src/adapters/gmail (Google's client) and, in tests, by wrappers around it.
 */
import type { GmailMessage } from '../../core/message-state.js';
import type { HistoryRecord } from '../../core/history.js';

export interface GmailProfile {
  emailAddress: string;
  historyId: string;
  messagesTotal: number;
  threadsTotal: number;
}

export interface GmailLabel {
  id: string;
  name: string;
  type: 'system' | 'user';
}

export interface GmailMessagePage {
  messages: Array<{ id: string; threadId: string }>;
  nextPageToken: string | null;
  resultSizeEstimate: number;
}

export interface GmailHistoryPage {
  records: HistoryRecord[];
  nextPageToken: string | null;
  historyId: string;
}

export interface GmailStats {
  quotaUnits: number;
  requests: number;
  retries: number;
  rateLimited: number;
}

export interface GmailPort {
  getProfile(): Promise<GmailProfile>;
  listLabels(): Promise<GmailLabel[]>;
  listMessageIds(pageToken?: string): Promise<GmailMessagePage>;
  /** null when Gmail says 404 (the message does not exist, or not yet). */
  getMessage(id: string, format: 'full' | 'minimal'): Promise<GmailMessage | null>;
  /** Every message of a thread in one call (10 units), with the same format and fields as getMessage; null on 404. */
  getThread(id: string, format: 'full' | 'minimal'): Promise<{ id: string; messages: GmailMessage[] } | null>;
  /** Throws MailmonError('history_expired') when the start id is older than Gmail keeps. */
  listHistory(startHistoryId: string, pageToken?: string): Promise<GmailHistoryPage>;
  /** users.watch: Gmail publishes `{emailAddress, historyId}` to the topic on each change until `expiration` (epoch ms). */
  watch(input: { topicName: string; labelIds?: string[] }): Promise<{ historyId: string; expiration: number }>;
  /** users.stop: no more notifications for this mailbox. */
  stop(): Promise<void>;
  readonly stats: GmailStats;
}
