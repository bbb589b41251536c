/**
 * Gmail search on a hand-made mailbox (test/fixtures/search/mailbox.json): each query must
 * return exactly the expected messages, and an operator the server does not support is a 400.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { gmail_v1 } from '@googleapis/gmail';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { connectedGmail, failure } from '../support/fixture-gmail.js';
import { ROOT } from '../support/cli.js';

const NOW = Date.parse('2025-03-10T12:00:00Z');
const id = (n: number) => n.toString(16).padStart(16, '0');

const CASES: Array<[string, number[]]> = [
  ['from:ann', [1]],
  ['from:ann in:anywhere', [1, 6]],
  ['from:me', [3]],
  ['from:bob@acme.test', [2]],
  ['to:ann@example.com', [3]],
  ['cc:carol', [2]],
  ['subject:quarterly', [1, 3]],
  ['subject:"quarterly report"', [1, 3]],
  ['subject:report', [1, 3]],
  ['has:attachment', [1, 4, 7]],
  ['filename:pdf', [1]],
  ['filename:notes.txt', [7]],
  ['larger:1M', [1]],
  ['smaller:5K', [2, 3, 7]],
  ['newer_than:3d', [7]],
  ['older_than:30d', [1, 2, 3]],
  ['after:2025/02/15', [4, 7]],
  ['before:2025/01/15', [1, 3]],
  [`rfc822msgid:<${id(2)}@mail.mailmon.test>`, [2]],
  [`rfc822msgid:${id(4)}@mail.mailmon.test`, [4]],
  ['category:promotions', [4]],
  ['category:social', [2]],
  ['category:primary', [1]],
  ['numbers', [1, 3]],
  ['sushi', [2]],
  ['planning', [7]],
  ['plan', []],
  ['"before Friday"', [1]],
  ['"Friday before"', []],
  ['from:bob OR from:carol', [2, 7]],
  ['{from:bob from:carol}', [2, 7]],
  ['subject:quarterly -in:sent', [1]],
  ['-has:attachment', [2, 3]],
  ['(from:ann OR from:bob) is:unread', [1]],
  ['label:work', [7]],
  ['label:nonexistent', []],
  ['is:important', [7]],
  ['is:starred', [4]],
  ['is:read', [2, 3, 4, 7]],
  ['in:spam', [5]],
  ['in:trash', [6]],
  ['quarterly in:anywhere', [1, 3, 5, 6]],
  ['has:userlabels', [7]],
  ['has:nouserlabels', [1, 2, 3, 4]],
  ['in:inbox AND has:attachment', [1, 4, 7]],
];

describe('messages.list q: one query per operator on a hand-made mailbox', () => {
  let server: FixtureServer;
  let api: gmail_v1.Gmail;

  beforeAll(async () => {
    server = await startFixtureServer({ quota: false, now: () => NOW, mailboxes: [{ file: path.join(ROOT, 'test', 'fixtures', 'search', 'mailbox.json') }] });
    ({ api } = await connectedGmail(server));
  });
  afterAll(() => server.close());

  for (const [q, expected] of CASES) {
    it(`${q} → ${expected.length === 0 ? 'nothing' : expected.join(', ')}`, async () => {
      const { data } = await api.users.messages.list({ userId: 'me', q });
      expect((data.messages ?? []).map((message) => message.id).sort()).toEqual(expected.map(id).sort());
      expect(data.resultSizeEstimate).toBe(expected.length);
    });
  }

  it('threads.list and drafts.list use the same search', async () => {
    const threads = (await api.users.threads.list({ userId: 'me', q: 'subject:quarterly' })).data.threads!;
    expect(threads.map((thread) => thread.id)).toEqual([id(1)]);
  });

  for (const q of ['deliveredto:dev@mailmon.test', 'has:drive', 'is:muted', 'size:1000', 'list:info@example.com', 'from:', '(from:ann', 'from:ann)', 'larger:big', 'newer_than:3w', 'after:yesterday', '"unterminated']) {
    it(`"${q}" is a 400 with a clear message, never everything`, async () => {
      const error = await failure(api.users.messages.list({ userId: 'me', q }, { retry: false }));
      expect(error.status).toBe(400);
      expect(error.data.error.status).toBe('INVALID_ARGUMENT');
      expect(error.data.error.message.length).toBeGreaterThan(10);
    });
  }
});
