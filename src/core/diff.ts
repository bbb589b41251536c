/**
 * Diffs fetched Gmail truth against local state and turns the differences into event drafts.
 * Only real changes produce a change (and so an event): a message that is already as Gmail
 * says yields nothing, which is what makes duplicate wake-ups and re-applied history harmless.
 * Pure: ids and time come in as parameters.
 */
import { threadOrderingKey, type EventDraft } from './event-drafts.js';
import { sameLabels, summarize, type MessageState } from './message-state.js';
import type { ThreadState } from './threads.js';


export interface LocalMessage {
  messageId: string;
  threadId: string;
  state: MessageState;
}

/** What Gmail says about one message: its state, or that it is gone. */
export type RemoteMessage = { kind: 'present'; state: MessageState } | { kind: 'gone'; providerMessageId: string };

export type MessageChange =
  | { kind: 'created'; after: MessageState }
  | { kind: 'updated'; before: LocalMessage; after: MessageState; labelsChanged: boolean }
  | { kind: 'deleted'; before: LocalMessage };

export function diffMessage(local: LocalMessage | undefined, remote: RemoteMessage): MessageChange | null {
  if (remote.kind === 'gone') return local ? { kind: 'deleted', before: local } : null;
  if (!local) return { kind: 'created', after: remote.state };
  const labelsChanged = !sameLabels(local.state.labelIds, remote.state.labelIds);
  const otherChanged = local.state.historyId !== remote.state.historyId || local.state.snippet !== remote.state.snippet || local.state.providerThreadId !== remote.state.providerThreadId;
  if (!labelsChanged && !otherChanged) return null;
  return { kind: 'updated', before: local, after: remote.state, labelsChanged };
}

/** The event for a message change, given the local ids the change ends up with. */
export function messageEvent(mailboxId: string, change: MessageChange, ids: { messageId: string; threadId: string }, newId: () => string): EventDraft | null {
  if (change.kind === 'created') {
    return { id: newId(), type: 'message.created', orderingKey: threadOrderingKey(mailboxId, change.after.providerThreadId), data: summarize(change.after, ids) };
  }
  if (change.kind === 'updated') {
    if (!change.labelsChanged) return null;
    const before = new Set(change.before.state.labelIds);
    const after = new Set(change.after.labelIds);
    return {
      id: newId(),
      type: 'message.updated',
      orderingKey: threadOrderingKey(mailboxId, change.after.providerThreadId),
      data: {
        ...summarize(change.after, ids),
        labelsAdded: change.after.labelIds.filter((label) => !before.has(label)),
        labelsRemoved: change.before.state.labelIds.filter((label) => !after.has(label)),
        previousLabelIds: change.before.state.labelIds,
      },
    };
  }
  const state = change.before.state;
  return {
    id: newId(),
    type: 'message.deleted',
    orderingKey: threadOrderingKey(mailboxId, state.providerThreadId),
    data: { messageId: change.before.messageId, threadId: change.before.threadId, providerMessageId: state.providerMessageId, providerThreadId: state.providerThreadId, subject: state.subject, labelIds: state.labelIds },
  };
}

export function threadEvent(mailboxId: string, threadId: string, before: ThreadState | null, after: ThreadState | null, newId: () => string): EventDraft {
  const current = after ?? before;
  if (!current) throw new Error('threadEvent needs a before or an after state');
  return {
    id: newId(),
    type: 'thread.updated',
    orderingKey: threadOrderingKey(mailboxId, current.providerThreadId),
    data: {
      threadId,
      providerThreadId: current.providerThreadId,
      subject: current.subject,
      messageCount: after?.messageCount ?? 0,
      labelIds: after?.labelIds ?? [],
      messageIds: after?.messageIds ?? [],
      lastMessageAt: after?.lastMessageAt ? new Date(after.lastMessageAt).toISOString() : null,
      deleted: after === null,
    },
  };
}
