/**
 * The fixture Gmail server as the use cases drive it (`fixtures serve`, `trigger`, `demo`):
 * start one, and change its mailboxes through its control API. The change then reaches mailmon
 * only through the real sync, exactly as a change in Gmail would.
 */

export interface FixtureMailboxStatus {
  emailAddress: string;
  messagesTotal: number;
  threadsTotal: number;
  historyId: string;
}

export interface MailboxRef {
  /** Its address; the server's only (or first) mailbox when absent. */
  mailbox?: string;
}

export interface MessageRef extends MailboxRef {
  id: string;
}

export interface SendInput extends MailboxRef {
  from?: string;
  to?: string;
  subject?: string;
  text?: string;
  /** Reply into this thread. */
  threadId?: string;
  labelIds?: string[];
  attachments?: Array<{ filename: string; contentType?: string; size?: number }>;
}

/** Where a message stands after a change. */
export interface FixtureMessageChange {
  mailbox: string;
  id: string;
  threadId: string;
  historyId: string;
}

export interface FixtureControl {
  status(): Promise<{ mailboxes: FixtureMailboxStatus[] }>;
  send(input?: SendInput): Promise<FixtureMessageChange>;
  modify(input: MessageRef & { addLabelIds?: string[]; removeLabelIds?: string[] }): Promise<FixtureMessageChange & { labelIds: string[] }>;
  trash(input: MessageRef): Promise<FixtureMessageChange & { labelIds: string[] }>;
  untrash(input: MessageRef): Promise<FixtureMessageChange & { labelIds: string[] }>;
  /** Deletes permanently. */
  delete(input: MessageRef): Promise<FixtureMessageChange>;
  /** The next history.list answers 404: the client must resync in full. */
  expireHistory(input?: MailboxRef): Promise<{ mailbox: string; historyId: string }>;
  /** Revokes every token of the mailbox: the next call answers 401. */
  revokeToken(input?: MailboxRef): Promise<{ mailbox: string; revoked: number }>;
  /** Every message id with its thread and labels, oldest first. */
  snapshot(input?: MailboxRef): Promise<{ emailAddress: string; historyId: string; messages: Array<{ id: string; threadId: string; labelIds: string[] }> }>;
  /** The requests the server answered. */
  requests(): Promise<unknown[]>;
}

export type FixtureMailboxSource =
  | { emailAddress?: string; generate?: { messages: number; seed?: number } }
  | { emailAddress?: string; file: string }
  | { emailAddress?: string; emlDir: string };

export interface FixtureServerOptions {
  host?: string;
  port?: number;
  seed?: number;
  /** Units per second per mailbox; false turns the quota off. */
  quota?: number | false;
  latencyMs?: number;
  historyRetention?: { maxRecords?: number; maxAgeMs?: number };
  shuffle?: boolean;
  /** Accept any client id when unset. */
  clientId?: string;
  accessTokenTtlSeconds?: number;
  /** Listen on a non-loopback host (refused otherwise). */
  allowRemote?: boolean;
  pubsubAcceptAnyToken?: boolean;
  mailboxes?: FixtureMailboxSource[];
}

export interface RunningFixtureServer {
  /** Base URL: the Gmail API and OAuth URL both. */
  url: string;
  /** The secret the control API requires. */
  controlToken: string;
  control: FixtureControl;
  close(): Promise<void>;
}

export interface FixtureServers {
  start(options: FixtureServerOptions): Promise<RunningFixtureServer>;
}
