/** Read-only queries over the local canonical state: messages and threads. */
import { MailmonError } from '../core/errors.js';
import { summarize } from '../core/message-state.js';
import type { MessageSummary } from '../core/events.js';
import { resolveMailbox } from './mailbox-queries.js';
import type { ListPosition, StoredMessage, StoredThread } from './ports/messages.js';
import type { Storage } from './ports/storage.js';

export type MessageQueryDeps = Pick<Storage, 'messages' | 'mailboxes'>;

export interface MessageQuery {
  mailbox?: string;
  label?: string;
  thread?: string;
  /** Text in the subject, snippet or sender. */
  text?: string;
  /** A page cursor (the previous page's nextCursor), or the id of the row to resume after. */
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

export interface Page<T> {
  data: T[];
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** A row's position as a cursor, `<at>.<id>`: it still resumes after the row is deleted. */
function cursorOf(position: ListPosition): string {
  return `${position.at}.${position.id}`;
}

const messagePosition = (message: StoredMessage): ListPosition => ({ at: message.state.internalDate ?? -1, id: message.messageId });
const threadPosition = (thread: StoredThread): ListPosition => ({ at: thread.lastMessageAt ?? -1, id: thread.id });

/** A cursor back into a position; a bare row id (the older cursor form) is looked up. */
async function positionOf(cursor: string | undefined, lookup: (id: string) => Promise<ListPosition | undefined>): Promise<ListPosition | undefined> {
  if (cursor === undefined) return undefined;
  const match = /^(-?\d{1,16})\.(.+)$/.exec(cursor);
  if (match) return { at: Number(match[1]), id: match[2] };
  const position = await lookup(cursor);
  if (!position) throw new MailmonError('usage', `Unknown cursor "${cursor}".`, { hint: 'Pass the nextCursor of the previous page, or leave it out to start from the newest.' });
  return position;
}

function paged<R, T>(rows: R[], limit: number, view: (row: R) => T, position: (row: R) => ListPosition): Page<T> {
  return { data: rows.map(view), nextCursor: rows.length === limit && limit > 0 ? cursorOf(position(rows[rows.length - 1])) : null };
}

async function messageFilter(deps: MessageQueryDeps, query: MessageQuery) {
  const after = await positionOf(query.after, async (id) => {
    const message = await deps.messages.get(id);
    return message && messagePosition(message);
  });
  return { mailboxId: await mailboxIdOf(deps, query.mailbox), label: query.label || undefined, thread: query.thread || undefined, text: query.text || undefined, after };
}

/** One page of messages, newest first, with the cursor of the next. */
export async function messagePage(deps: MessageQueryDeps, query: MessageQuery): Promise<Page<MessageView>> {
  const rows = await deps.messages.list(await messageFilter(deps, query), query.limit);
  return paged(rows, query.limit, toView, messagePosition);
}

export async function listMessages(deps: MessageQueryDeps, query: MessageQuery): Promise<MessageView[]> {
  return (await messagePage(deps, query)).data;
}

export async function showMessage(deps: Pick<Storage, 'messages'>, id: string): Promise<MessageView> {
  const message = await deps.messages.get(id);
  if (!message) throw new MailmonError('not_found', `No message "${id}" in the local store.`, { hint: 'Use an id from "mailmon messages list" (msg_… or Gmail\'s id).' });
  return toView(message);
}

/** One page of threads, newest message first, with the cursor of the next. */
export async function threadPage(deps: MessageQueryDeps, query: Omit<MessageQuery, 'thread'>): Promise<Page<ThreadView>> {
  const after = await positionOf(query.after, async (id) => {
    const thread = await deps.messages.getThread(id);
    return thread && threadPosition(thread);
  });
  const filter = { mailboxId: await mailboxIdOf(deps, query.mailbox), label: query.label || undefined, text: query.text || undefined, after };
  return paged(await deps.messages.listThreads(filter, query.limit), query.limit, toThreadView, threadPosition);
}

export async function listThreads(deps: MessageQueryDeps, query: Omit<MessageQuery, 'thread'>): Promise<ThreadView[]> {
  return (await threadPage(deps, query)).data;
}

export async function showThread(deps: Pick<Storage, 'messages'>, id: string): Promise<ThreadView & { messages: MessageView[] }> {
  const thread = await deps.messages.getThread(id);
  if (!thread) throw new MailmonError('not_found', `No thread "${id}" in the local store.`, { hint: 'Use an id from "mailmon threads list" (thr_… or Gmail\'s id).' });
  const messages = await deps.messages.threadMessages(thread.mailboxId, thread.providerThreadId);
  return { ...toThreadView(thread), messages: messages.map(toView) };
}
