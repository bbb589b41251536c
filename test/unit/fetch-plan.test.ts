import { describe, expect, it } from 'vitest';
import { planFetches, untouchedSince, type FetchTarget } from '../../src/core/fetch-plan.js';

const target = (id: string, threadId: string | null): FetchTarget => ({ id, threadId, addedInRun: false });

describe('planFetches', () => {
  const targets = [target('a1', 'A'), target('b1', 'B'), target('a2', 'A'), target('c1', 'C'), target('a3', 'A'), target('b2', 'B'), target('x', null)];

  it('one threads.get for a thread with 3+ messages to fetch, messages.get for 1–2, a message without a thread alone', () => {
    expect(planFetches(targets, true)).toEqual([
      { call: 'threads.get', threadId: 'A', targets: [targets[0], targets[2], targets[4]] },
      { call: 'messages.get', threadId: 'B', targets: [targets[1], targets[5]] },
      { call: 'messages.get', threadId: 'C', targets: [targets[3]] },
      { call: 'messages.get', threadId: null, targets: [targets[6]] },
    ]);
  });

  it('counts the messages of a thread known to come on the next page', () => {
    const later = new Map([['B', 1], ['C', 1]]);
    expect(planFetches(targets, true, later).map((call) => [call.call, call.threadId])).toEqual([['threads.get', 'A'], ['threads.get', 'B'], ['messages.get', 'C'], ['messages.get', null]]);
    expect(planFetches(targets, false, later).every((call) => call.call === 'messages.get')).toBe(true);
  });

  it('turned off, every thread is fetched message by message', () => {
    expect(planFetches(targets, false).map((call) => call.call)).toEqual(['messages.get', 'messages.get', 'messages.get', 'messages.get']);
    expect(planFetches(targets, false).flatMap((call) => call.targets)).toHaveLength(targets.length);
  });

  it('costs Σ min(10, 5·n): never more than per message', () => {
    const cost = (byThread: boolean) => planFetches(targets, byThread).reduce((sum, call) => sum + (call.call === 'threads.get' ? 10 : 5 * call.targets.length), 0);
    expect(cost(true)).toBe(10 + 10 + 5 + 5);
    expect(cost(false)).toBe(35);
  });
});

describe('untouchedSince', () => {
  it('compares Gmail history ids as unsigned integers, beyond 2^53', () => {
    expect(untouchedSince('99', '100')).toBe(true);
    expect(untouchedSince('100', '100')).toBe(true);
    expect(untouchedSince('101', '100')).toBe(false);
    expect(untouchedSince('18446744073709551614', '18446744073709551615')).toBe(true);
    expect(untouchedSince('9007199254740993', '9007199254740992')).toBe(false);
  });

  it('an unknown history id is never taken as untouched', () => {
    expect(untouchedSince(null, '100')).toBe(false);
    expect(untouchedSince(undefined, '100')).toBe(false);
    expect(untouchedSince('abc', '100')).toBe(false);
  });
});
