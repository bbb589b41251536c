import { describe, expect, it } from 'vitest';
import { evaluate, mentionsSpamOrTrash, parseSearch, SearchError, tokenize, type SearchableMessage, type SearchEnvironment } from '../../src/fixtures/search.js';

const term = (value: string, operator?: string, phrase = false) => ({ kind: 'term', ...(operator ? { operator } : {}), value, phrase });

describe('search tokenizer and parser', () => {
  it('tokenizes operators, quoted values, phrases, negation, OR and brackets', () => {
    expect(tokenize('from:ann -subject:"big news" (a OR b) {c d} "x y"')).toEqual([
      { type: 'term', operator: 'from', value: 'ann', phrase: false },
      { type: '-' },
      { type: 'term', operator: 'subject', value: 'big news', phrase: true },
      { type: '(' }, { type: 'term', value: 'a', phrase: false }, { type: 'OR' }, { type: 'term', value: 'b', phrase: false }, { type: ')' },
      { type: '{' }, { type: 'term', value: 'c', phrase: false }, { type: 'term', value: 'd', phrase: false }, { type: '}' },
      { type: 'term', value: 'x y', phrase: true },
    ]);
  });

  it('OR binds looser than the implicit AND; - binds tightest; parentheses group', () => {
    expect(parseSearch('a b OR c')).toEqual({ kind: 'or', items: [{ kind: 'and', items: [term('a'), term('b')] }, term('c')] });
    expect(parseSearch('a (b OR c)')).toEqual({ kind: 'and', items: [term('a'), { kind: 'or', items: [term('b'), term('c')] }] });
    expect(parseSearch('-from:x y')).toEqual({ kind: 'and', items: [{ kind: 'not', item: term('x', 'from') }, term('y')] });
    expect(parseSearch('{a b} c')).toEqual({ kind: 'and', items: [{ kind: 'or', items: [term('a'), term('b')] }, term('c')] });
    expect(parseSearch('a AND b')).toEqual({ kind: 'and', items: [term('a'), term('b')] });
    expect(parseSearch('')).toEqual({ kind: 'and', items: [] });
    expect(parseSearch('rfc822msgid:<a@b>')).toEqual(term('<a@b>', 'rfc822msgid'));
    expect(parseSearch('well-known')).toEqual(term('well-known'));
  });

  it('refuses unsupported operators and malformed queries', () => {
    for (const bad of ['deliveredto:x', 'has:drive', 'is:snoozed', 'category:x', 'larger:', '(a', 'a)', '{a', 'OR', 'a OR', '"a', 'newer_than:1h', 'before:tomorrow']) {
      expect(() => parseSearch(bad), bad).toThrow(SearchError);
    }
  });
});

describe('search evaluator', () => {
  const env: SearchEnvironment = { now: Date.UTC(2025, 2, 10), me: 'dev@mailmon.test', labelId: (name) => ({ work: 'Label_1', spam: 'SPAM', trash: 'TRASH' })[name.toLowerCase()], isUserLabel: (id) => id.startsWith('Label_') };
  const message = (overrides: Partial<{ labels: string[]; date: number; headers: Record<string, string>; body: string; files: string[]; size: number }> = {}): SearchableMessage => {
    const headers = overrides.headers ?? { Subject: 'Quarterly planning', From: 'Ann <ann@example.com>', To: 'dev@mailmon.test', 'Message-ID': '<abc@x>' };
    return {
      labelIds: overrides.labels ?? ['INBOX', 'UNREAD'],
      internalDate: overrides.date ?? Date.UTC(2025, 2, 9),
      header: (name) => Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1],
      body: () => overrides.body ?? 'See the attached plan for Friday.',
      attachmentNames: () => overrides.files ?? ['plan.pdf'],
      size: () => overrides.size ?? 5000,
    };
  };
  const matches = (q: string, target = message()) => evaluate(parseSearch(q), target, env);

  it('matches whole words and phrases in subject and body, not substrings', () => {
    expect(matches('planning')).toBe(true);
    expect(matches('plann')).toBe(false);
    expect(matches('"attached plan"')).toBe(true);
    expect(matches('"plan attached"')).toBe(false);
  });

  it('address operators match names and addresses; from:me is the mailbox', () => {
    expect(matches('from:ann')).toBe(true);
    expect(matches('from:ann@example.com')).toBe(true);
    expect(matches('to:me')).toBe(true);
    expect(matches('from:me')).toBe(false);
  });

  it('labels, categories, sizes, ages, dates and message ids', () => {
    expect(matches('is:unread in:inbox -is:read')).toBe(true);
    expect(matches('label:work')).toBe(false);
    expect(matches('has:userlabels', message({ labels: ['Label_1'] }))).toBe(true);
    expect(matches('larger:4K smaller:5K')).toBe(true);
    expect(matches('larger:5000')).toBe(false);
    expect(matches('newer_than:2d')).toBe(true);
    expect(matches('older_than:2d')).toBe(false);
    expect(matches('after:2025/03/09 before:2025/03/10')).toBe(true);
    expect(matches('rfc822msgid:abc@x')).toBe(true);
    expect(matches('filename:pdf has:attachment')).toBe(true);
    expect(matches('has:attachment', message({ files: [] }))).toBe(false);
  });

  it('spam and trash are searched only when the query names them positively', () => {
    const mentions = (q: string) => mentionsSpamOrTrash(parseSearch(q), env.labelId);
    expect(mentions('in:spam')).toBe(true);
    expect(mentions('a OR label:trash')).toBe(true);
    expect(mentions('in:anywhere x')).toBe(true);
    expect(mentions('-in:trash')).toBe(false);
    expect(mentions('from:x')).toBe(false);
  });
});
