/**
 * Reading the local copy of messages and threads (the `messages` / `threads` commands, later an
 * HTTP API). Read-only: messages and threads change only inside the sync commit. Lists have a
 * total order (newest first, ties broken by id), so a page can be resumed from its last row.
 */
import type { LocalMessage } from '../../core/diff.js';

/** A stored message: its local state and the mailbox it belongs to. */
export interface StoredMessage extends LocalMessage {
  mailboxId: string;
}

export interface StoredThread {
  id: string;
  mailboxId: string;
  providerThreadId: string;
  subject: string | null;
  snippet: string | null;
  messageCount: number;
  labelIds: string[];
  /** Epoch ms of its newest message. */
  lastMessageAt: number | null;
}

export interface MessageFilter {
  mailboxId?: string;
  /** Only those carrying this label id. */
  label?: string;
  /** Only messages of this thread: its id or Gmail's thread id. */
  thread?: string;
  /** Only those whose subject, snippet or sender (messages) contains this text, case-insensitively (ASCII). */
  text?: string;
  /** Only the rows that follow this position in the list's order. */
  after?: ListPosition;
}

/**
 * Where a row stands in a list: its date (epoch ms of the message, or of the thread's newest
 * message; -1 when it has none) and its id. Lists are ordered by (at desc, id desc), so a page
 * resumes from its last row's position even if that row is gone by then.
 */
export interface ListPosition {
  at: number;
  id: string;
}

export interface Messages {
  /** Newest first by internal date (undated last), then by id descending. */
  list(filter: MessageFilter, limit: number): Promise<StoredMessage[]>;
  /** By id or by Gmail's message id. */
  get(id: string): Promise<StoredMessage | undefined>;
  /** Newest first by last message, then by id descending. */
  listThreads(filter: Omit<MessageFilter, 'thread'>, limit: number): Promise<StoredThread[]>;
  /** By id or by Gmail's thread id. */
  getThread(id: string): Promise<StoredThread | undefined>;
  /** A thread's messages, oldest first. */
  threadMessages(mailboxId: string, providerThreadId: string): Promise<StoredMessage[]>;
}
