/** A thread's state is derived from its messages; mailmon never stores it independently. Pure. */
import type { MessageState } from './message-state.js';
import { sortLabels } from './message-state.js';

export interface ThreadState {
  providerThreadId: string;
  subject: string | null;
  snippet: string | null;
  messageCount: number;
  labelIds: string[];
  /** Provider message ids, oldest first. */
  messageIds: string[];
  lastMessageAt: number | null;
  historyId: string | null;
}

export function deriveThread(providerThreadId: string, messages: readonly MessageState[]): ThreadState | null {
  if (messages.length === 0) return null;
  const ordered = [...messages].sort((a, b) => (a.internalDate ?? 0) - (b.internalDate ?? 0) || a.providerMessageId.localeCompare(b.providerMessageId));
  const last = ordered[ordered.length - 1];
  const historyIds = ordered.map((message) => BigInt(message.historyId ?? '0'));
  return {
    providerThreadId,
    subject: ordered[0].subject,
    snippet: last.snippet,
    messageCount: ordered.length,
    labelIds: sortLabels(ordered.flatMap((message) => message.labelIds)),
    messageIds: ordered.map((message) => message.providerMessageId),
    lastMessageAt: last.internalDate,
    historyId: historyIds.reduce((a, b) => (b > a ? b : a), 0n).toString(),
  };
}

/** Whether a thread changed in a way worth a thread.updated event: its messages or its labels. */
export function threadChanged(before: ThreadState | null, after: ThreadState | null): boolean {
  if (!before || !after) return before !== after;
  return before.messageCount !== after.messageCount
    || before.labelIds.join('\u0000') !== after.labelIds.join('\u0000')
    || before.messageIds.join('\u0000') !== after.messageIds.join('\u0000');
}
