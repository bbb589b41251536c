/** Read-only queries over the local canonical state: messages and threads. */
import { MailmonError } from '../core/errors.js';
import { summarize } from '../core/message-state.js';
import type { MessageSummary } from '../core/events.js';
import { resolveMailbox } from './mailbox-queries.js';
import type { StoredMessage, StoredThread } from './ports/messages.js';
import type { Storage } from './ports/storage.js';

export type MessageQueryDeps = Pick<Storage, 'messages' | 'mailboxes'>;

export interface MessageQuery {
  mailbox?: string;
  label?: string;
  thread?: string;
  /** Text in the subject, snippet or sender. */
  text?: string;
  /** Resume after this row's id (the last of the previous page). */
  after?: string;
  limit: number;
}

export interface MessageView extends MessageSummary {
  /** The message's own id (the same as messageId, which event payloads use). */
  id: string;
  mailboxId: string;
  historyId: string | null;
  sizeEstimate: number | null;
  attachmentNames: string[];
  messageIdHeader: string | null;
  inReplyTo: string | null;
}

export interface ThreadView {
  /** The thread's own id (the same as threadId, kept for the message objects that name it). */
  id: string;
  threadId: string;
  mailboxId: string;
  providerThreadId: string;
  subject: string | null;
  snippet: string | null;
  messageCount: number;
  labelIds: string[];
  lastMessageAt: string | null;
}

function toView(message: StoredMessage): MessageView {
  const { state } = message;
  return {
    id: message.messageId,
    ...summarize(state, { messageId: message.messageId, threadId: message.threadId }),
    mailboxId: message.mailboxId,
    historyId: state.historyId,
    sizeEstimate: state.sizeEstimate,
    attachmentNames: state.attachmentNames,
    messageIdHeader: state.messageIdHeader,
    inReplyTo: state.inReplyTo,
  };
}

function toThreadView(thread: StoredThread): ThreadView {
  const { id, mailboxId, providerThreadId, subject, snippet, messageCount, labelIds, lastMessageAt } = thread;
  return { id, threadId: id, mailboxId, providerThreadId, subject, snippet, messageCount, labelIds, lastMessageAt: lastMessageAt ? new Date(lastMessageAt).toISOString() : null };
}

async function mailboxIdOf(deps: MessageQueryDeps, ref: string | undefined): Promise<string | undefined> {
  return ref ? (await resolveMailbox(deps.mailboxes, ref)).id : undefined;
}

export async function listMessages(deps: MessageQueryDeps, query: MessageQuery): Promise<MessageView[]> {
  const filter = { mailboxId: await mailboxIdOf(deps, query.mailbox), label: query.label || undefined, thread: query.thread || undefined, text: query.text || undefined, after: query.after };
  return (await deps.messages.list(filter, query.limit)).map(toView);
}

export async function showMessage(deps: Pick<Storage, 'messages'>, id: string): Promise<MessageView> {
  const message = await deps.messages.get(id);
  if (!message) throw new MailmonError('not_found', `No message "${id}" in the local store.`, { hint: 'Use an id from "mailmon messages list" (msg_… or Gmail\'s id).' });
  return toView(message);
}

export async function listThreads(deps: MessageQueryDeps, query: Omit<MessageQuery, 'thread'>): Promise<ThreadView[]> {
  const filter = { mailboxId: await mailboxIdOf(deps, query.mailbox), label: query.label || undefined, text: query.text || undefined, after: query.after };
  return (await deps.messages.listThreads(filter, query.limit)).map(toThreadView);
}

export async function showThread(deps: Pick<Storage, 'messages'>, id: string): Promise<ThreadView & { messages: MessageView[] }> {
  const thread = await deps.messages.getThread(id);
  if (!thread) throw new MailmonError('not_found', `No thread "${id}" in the local store.`, { hint: 'Use an id from "mailmon threads list" (thr_… or Gmail\'s id).' });
  const messages = await deps.messages.threadMessages(thread.mailboxId, thread.providerThreadId);
  return { ...toThreadView(thread), messages: messages.map(toView) };
}
