import { describe, expect, it } from 'vitest';
import { applyFields, parseFields } from '../../src/fixtures/fields.js';
import { mailboxSources, parseHistoryRetention } from '../../src/app/serve-fixtures.js';

describe('Google partial-response fields', () => {
  const message = {
    id: 'a',
    threadId: 't',
    labelIds: ['INBOX'],
    payload: { mimeType: 'multipart/mixed', filename: '', headers: [{ name: 'Subject', value: 'Hi' }], body: { size: 0 }, parts: [{ filename: 'x.pdf', body: { size: 3, attachmentId: 'q' }, parts: [{ filename: '', mimeType: 'text/plain' }] }] },
  };

  it('selects comma lists, nested groups and slash paths, through arrays', () => {
    expect(applyFields(message, parseFields('id,payload(headers(name),parts(filename,parts(filename)))'))).toEqual({ id: 'a', payload: { headers: [{ name: 'Subject' }], parts: [{ filename: 'x.pdf', parts: [{ filename: '' }] }] } });
    expect(applyFields(message, parseFields('payload/parts/body/size,threadId'))).toEqual({ payload: { parts: [{ body: { size: 3 } }] }, threadId: 't' });
    expect(applyFields(message, parseFields('payload/mimeType,payload/filename'))).toEqual({ payload: { mimeType: 'multipart/mixed', filename: '' } });
    expect(applyFields(message, parseFields('*'))).toEqual(message);
    expect(applyFields(message, parseFields('missing'))).toEqual({});
  });

  it('rejects malformed selections', () => {
    for (const bad of ['id,(', 'payload(headers', 'id)', 'a,,b', '']) expect(() => parseFields(bad), bad).toThrow(/Invalid field selection/);
  });
});

describe('fixtures serve input', () => {
  it('reads --history-retention as a record count or an age', () => {
    expect(parseHistoryRetention('500')).toEqual({ maxRecords: 500 });
    expect(parseHistoryRetention('2h')).toEqual({ maxAgeMs: 7_200_000 });
    expect(() => parseHistoryRetention('soon')).toThrow(expect.objectContaining({ code: 'bad_duration' }));
  });

  it('builds one source per --email, extra addresses generated', () => {
    expect(mailboxSources({ emails: ['a@x.test', 'b@x.test'], emlDir: 'mails' })).toEqual([{ emailAddress: 'a@x.test', emlDir: 'mails' }, { emailAddress: 'b@x.test', generate: { messages: 100 } }]);
    expect(mailboxSources({ emails: [], messages: 5, seed: 2 })).toEqual([{ emailAddress: undefined, generate: { messages: 5, seed: 2 } }]);
    expect(() => mailboxSources({ emails: [], messages: 5, mailboxFile: 'f.json' })).toThrow(expect.objectContaining({ code: 'usage' }));
  });
});
