/** The pure sync-commit planner (src/core/commit-plan.ts): threads derived in memory as the stored rows will be. */
import { describe, expect, it } from 'vitest';
import { diffCommit, planCommit, type CommitSnapshot, type PlanInput } from '../../src/core/commit-plan.js';
import type { LocalMessage, RemoteMessage } from '../../src/core/diff.js';
import type { MessageState } from '../../src/core/message-state.js';

function state(id: string, threadId: string, overrides: Partial<MessageState> = {}): MessageState {
  return {
    providerMessageId: id, providerThreadId: threadId, labelIds: ['INBOX'], subject: `subject ${id}`, from: null, to: [], cc: [], dateHeader: null, messageIdHeader: null,
    inReplyTo: null, references: null, snippet: `snippet ${id}`, internalDate: 1_000, sizeEstimate: 1, historyId: '10', attachmentCount: 0, attachmentNames: [], ...overrides,
  };
}

const stored = (id: string, threadId: string, overrides: Partial<MessageState> = {}): LocalMessage => ({ messageId: `msg_${id}`, threadId: `thr_${threadId}`, state: state(id, threadId, overrides) });

function plan(input: Omit<PlanInput, 'mailbox' | 'emitEvents'>, rows: LocalMessage[], threadIds: Record<string, string>) {
  const full: PlanInput = { mailbox: { id: 'mbx_a' }, emitEvents: true, ...input };
  const locals = new Map(rows.map((row) => [row.state.providerMessageId, row]));
  const diff = diffCommit(full, { locals, unmarked: [] });
  const snapshot: CommitSnapshot = { status: 'active', threadMessages: rows.filter((row) => diff.threads.has(row.state.providerThreadId)), threadIds: new Map(Object.entries(threadIds)) };
  let n = 0;
  return planCommit(full, diff, snapshot, (prefix) => `${prefix}_new${++n}`);
}

describe('planCommit', () => {
  it('a message moving to another thread: the old thread shrinks (or goes), the new one gets it, each described once after the message event', () => {
    const rows = [stored('m1', 't1'), stored('m2', 't1', { internalDate: 2_000 })];
    const remote: RemoteMessage[] = [{ kind: 'present', state: state('m2', 't2', { internalDate: 2_000, labelIds: ['INBOX', 'STARRED'] }) }];
    const result = plan({ remote }, rows, { t1: 'thr_t1' });
    expect(result.updates).toEqual([{ messageId: 'msg_m2', threadId: 'thr_new1', state: state('m2', 't2', { internalDate: 2_000, labelIds: ['INBOX', 'STARRED'] }) }]);
    expect(result.threadUpserts.map((thread) => [thread.threadId, thread.state.messageIds])).toEqual([['thr_t1', ['m1']], ['thr_new1', ['m2']]]);
    expect(result.threadDeletes).toEqual([]);
    expect(result.drafts.map((draft) => draft.type)).toEqual(['message.updated', 'thread.updated', 'thread.updated']);
    expect(result.counts).toEqual({ created: 0, updated: 1, deleted: 0 });
  });

  it('an update writes only labels, snippet, historyId and thread: the derived thread keeps the stored subject and date', () => {
    const rows = [stored('m1', 't1', { subject: 'stored subject', internalDate: 5_000 })];
    const remote: RemoteMessage[] = [{ kind: 'present', state: state('m1', 't1', { subject: 'other subject', internalDate: 9_000, labelIds: ['STARRED'] }) }];
    const result = plan({ remote }, rows, { t1: 'thr_t1' });
    expect(result.threadUpserts[0].state).toMatchObject({ subject: 'stored subject', lastMessageAt: 5_000, labelIds: ['STARRED'] });
  });

  it('the last message deleted: the thread row goes, described as deleted', () => {
    const result = plan({ remote: [{ kind: 'gone', providerMessageId: 'm1' }] }, [stored('m1', 't1')], { t1: 'thr_t1' });
    expect(result.deletes).toEqual(['msg_m1']);
    expect(result.threadDeletes).toEqual(['t1']);
    expect(result.drafts.map((draft) => [draft.type, (draft.data as { deleted?: boolean }).deleted])).toEqual([['message.deleted', undefined], ['thread.updated', true]]);
  });

  it('unchanged messages are only stamped with the mark; nothing is described', () => {
    const result = plan({ remote: [{ kind: 'present', state: state('m1', 't1') }], mark: 'run_1' }, [stored('m1', 't1')], { t1: 'thr_t1' });
    expect(result).toMatchObject({ marks: ['msg_m1'], inserts: [], updates: [], deletes: [], threadUpserts: [], drafts: [] });
  });
});
