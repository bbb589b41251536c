import { describe, expect, it } from 'vitest';
import { collapseHistory } from '../../src/core/history.js';
import { diffMessage, messageEvent, threadEvent } from '../../src/core/diff.js';
import { messageStateFromGmail, type MessageState } from '../../src/core/message-state.js';
import { deriveThread, threadChanged } from '../../src/core/threads.js';
import { backoffDelay, parseRetryAfter, parseRetryAfterMessage, retryDelay } from '../../src/core/backoff.js';
import { TokenBucket } from '../../src/core/token-bucket.js';

function state(id: string, labels: string[], extra: Partial<MessageState> = {}): MessageState {
  return {
    providerMessageId: id, providerThreadId: extra.providerThreadId ?? 't1', labelIds: [...labels].sort(), subject: 'Hello', from: { name: 'Ann', address: 'ann@example.com' },
    to: [], cc: [], dateHeader: null, messageIdHeader: null, inReplyTo: null, references: null, snippet: 'hi', internalDate: 1_700_000_000_000,
    sizeEstimate: 100, historyId: '10', attachmentCount: 0, attachmentNames: [], ...extra,
  };
}

describe('history collapse', () => {
  it('fetches added and relabelled messages, deletes deleted ones, and an add then delete is never fetched', () => {
    const collapsed = collapseHistory([
      { id: '11', messagesAdded: [{ message: { id: 'a', threadId: 't', labelIds: ['INBOX', 'UNREAD'] } }] },
      { id: '12', labelsRemoved: [{ message: { id: 'b', threadId: 't2' }, labelIds: ['UNREAD'] }] },
      { id: '13', messagesAdded: [{ message: { id: 'c', threadId: 't3' } }] },
      { id: '14', messagesDeleted: [{ message: { id: 'c', threadId: 't3' } }] },
      { id: '15', labelsAdded: [{ message: { id: 'x', threadId: 't4' }, labelIds: ['Label_9'] }] },
    ]);
    expect([...collapsed.fetch.keys()].sort()).toEqual(['a', 'b', 'x']);
    expect(collapsed.fetch.get('a')?.addedInRun).toBe(true);
    expect(collapsed.fetch.get('b')?.addedInRun).toBe(false);
    expect([...collapsed.deleted.keys()]).toEqual(['c']);
    expect(collapsed.labelIds.has('Label_9')).toBe(true);
    expect(collapsed.records).toBe(5);
  });

  it('folds pages in order: a message deleted on page one and touched again later stays deleted', () => {
    const collapsed = collapseHistory([{ id: '2', messagesDeleted: [{ message: { id: 'a', threadId: 't' } }] }]);
    collapseHistory([{ id: '3', labelsAdded: [{ message: { id: 'a', threadId: 't' }, labelIds: ['STARRED'] }] }], collapsed);
    expect(collapsed.fetch.has('a')).toBe(false);
    expect(collapsed.deleted.has('a')).toBe(true);
  });
});

describe('diff and events', () => {
  const local = { messageId: 'msg_1', threadId: 'thr_1', state: state('m1', ['INBOX', 'UNREAD']) };
  let n = 0;
  const newId = () => `evt_${++n}`;

  it('yields nothing for a message already as Gmail says (re-applying is a no-op)', () => {
    expect(diffMessage(local, { kind: 'present', state: state('m1', ['UNREAD', 'INBOX']) })).toBeNull();
    expect(diffMessage(undefined, { kind: 'gone', providerMessageId: 'zzz' })).toBeNull();
  });

  it('describes a label change with labelsAdded, labelsRemoved and previousLabelIds', () => {
    const change = diffMessage(local, { kind: 'present', state: state('m1', ['INBOX', 'STARRED']) });
    const event = messageEvent('mbx_1', change!, { messageId: 'msg_1', threadId: 'thr_1' }, newId);
    expect(event?.type).toBe('message.updated');
    expect(event?.data).toMatchObject({ labelsAdded: ['STARRED'], labelsRemoved: ['UNREAD'], previousLabelIds: ['INBOX', 'UNREAD'], labelIds: ['INBOX', 'STARRED'], messageId: 'msg_1', providerMessageId: 'm1' });
    expect(event?.orderingKey).toBe('mbx_1:thread:t1');
  });

  it('describes creation and deletion', () => {
    const created = diffMessage(undefined, { kind: 'present', state: state('m2', ['INBOX']) });
    expect(messageEvent('mbx_1', created!, { messageId: 'msg_2', threadId: 'thr_1' }, newId)?.type).toBe('message.created');
    const deleted = diffMessage(local, { kind: 'gone', providerMessageId: 'm1' });
    expect(messageEvent('mbx_1', deleted!, { messageId: 'msg_1', threadId: 'thr_1' }, newId)).toMatchObject({ type: 'message.deleted', data: { messageId: 'msg_1', labelIds: ['INBOX', 'UNREAD'] } });
  });

  it('a change of historyId only updates state silently, without an event', () => {
    const change = diffMessage(local, { kind: 'present', state: state('m1', ['INBOX', 'UNREAD'], { historyId: '99' }) });
    expect(change?.kind).toBe('updated');
    expect(messageEvent('mbx_1', change!, { messageId: 'msg_1', threadId: 'thr_1' }, newId)).toBeNull();
  });
});

describe('threads', () => {
  it('derive label unions and message order from their messages; change only when messages or labels change', () => {
    const a = state('a', ['INBOX'], { internalDate: 2 });
    const b = state('b', ['INBOX', 'UNREAD'], { internalDate: 1, subject: 'First' });
    const thread = deriveThread('t1', [a, b])!;
    expect(thread).toMatchObject({ messageCount: 2, labelIds: ['INBOX', 'UNREAD'], messageIds: ['b', 'a'], subject: 'First', lastMessageAt: 2 });
    expect(threadChanged(thread, deriveThread('t1', [b, a]))).toBe(false);
    expect(threadChanged(thread, deriveThread('t1', [a]))).toBe(true);
    expect(threadChanged(null, thread)).toBe(true);
    expect(deriveThread('t1', [])).toBeNull();
    expect(threadEvent('mbx', 'thr', thread, null, () => 'evt').data).toMatchObject({ deleted: true, messageCount: 0 });
  });
});

describe('Gmail message mapping', () => {
  it('maps headers, addresses and attachment filenames', () => {
    const mapped = messageStateFromGmail({
      id: 'abc', threadId: 'def', labelIds: ['UNREAD', 'INBOX'], snippet: 's', historyId: '42', internalDate: '1700000000000', sizeEstimate: 9,
      payload: {
        headers: [{ name: 'From', value: '"Ann Lee" <ann@example.com>' }, { name: 'To', value: 'bob@example.com, Cy <cy@example.com>' }, { name: 'Subject', value: 'Hi' }],
        parts: [{ filename: '' }, { filename: 'a.pdf' }, { filename: '', parts: [{ filename: 'b.png' }] }],
      },
    });
    expect(mapped).toMatchObject({ labelIds: ['INBOX', 'UNREAD'], subject: 'Hi', from: { name: 'Ann Lee', address: 'ann@example.com' }, attachmentCount: 2, attachmentNames: ['a.pdf', 'b.png'], internalDate: 1_700_000_000_000 });
    expect(mapped.to).toEqual([{ name: null, address: 'bob@example.com' }, { name: 'Cy', address: 'cy@example.com' }]);
  });
});

describe('backoff and quota', () => {
  it('grows exponentially with jitter, capped, and honours the server hint within bounds', () => {
    expect(backoffDelay(0, { baseMs: 100, maxMs: 10_000, random: 0 })).toBe(50);
    expect(backoffDelay(3, { baseMs: 100, maxMs: 10_000, random: 0.999 })).toBeLessThanOrEqual(800);
    expect(backoffDelay(20, { baseMs: 100, maxMs: 10_000, random: 1 })).toBe(10_000);
    expect(retryDelay(0, 7000, { baseMs: 100, maxMs: 1000, random: 0 })).toBe(7000);
    expect(retryDelay(0, 10 ** 9, { baseMs: 100, maxMs: 1000, random: 0, maxHintMs: 60_000 })).toBe(60_000);
  });

  it('parses Retry-After as seconds or HTTP date, and Gmail\'s "Retry after <time>"', () => {
    const now = Date.parse('2026-05-04T10:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Mon, 04 May 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfterMessage('User-rate limit exceeded.  Retry after 2026-05-04T10:00:02.500Z', now)).toBe(2500);
  });

  it('a token bucket spends its burst, then paces callers FIFO at the rate', () => {
    const bucket = new TokenBucket(250, 50, 0);
    let waits = 0;
    for (let i = 0; i < 10; i++) waits += bucket.reserve(5, 0);
    expect(waits).toBe(0); // 50 units of burst
    expect(bucket.reserve(5, 0)).toBe(20); // 5 units at 250/s
    expect(bucket.reserve(5, 0)).toBe(40);
    expect(bucket.reserve(5, 1000)).toBe(0); // refilled
  });
});
