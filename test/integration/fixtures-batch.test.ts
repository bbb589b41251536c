/**
 * The batch endpoint `/batch/gmail/v1` as Google's clients (and lieer-style tools) use it for
 * bulk gets: a multipart/mixed body of application/http parts, answered part by part.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { expectSchema } from '../support/discovery-schema.js';

const servers: FixtureServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

interface Part {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  contentId?: string;
}

/** A batch body as googleapis-python-client writes it (CRLF, Content-ID <…>, request line with HTTP/1.1). */
function batchBody(parts: Part[], boundary = '===============7330845974216740156=='): { body: string; contentType: string } {
  const body = parts
    .map((part, index) => {
      const headers = Object.entries(part.headers ?? {}).map(([name, value]) => `${name}: ${value}\r\n`).join('');
      const payload = part.body ? `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(part.body)}\r\n` : '';
      return `--${boundary}\r\nContent-Type: application/http\r\nMIME-Version: 1.0\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <${part.contentId ?? `item-${index + 1}`}>\r\n\r\n${part.method ?? 'GET'} ${part.path} HTTP/1.1\r\n${headers}${payload}\r\n${part.body ?? ''}\r\n`;
    })
    .join('');
  return { body: `${body}--${boundary}--\r\n`, contentType: `multipart/mixed; boundary="${boundary}"` };
}

interface Answer {
  contentId: string | undefined;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

function parseBatchResponse(contentType: string, text: string): Answer[] {
  const boundary = /boundary=(\S+)/.exec(contentType)![1];
  const sections = text.split(`--${boundary}`).slice(1);
  expect(sections.at(-1)!.startsWith('--')).toBe(true);
  return sections.slice(0, -1).map((section) => {
    const [outer, status, ...rest] = section.replace(/^\r\n/, '').split('\r\n\r\n');
    const contentId = /Content-ID: <([^>]+)>/.exec(outer)?.[1];
    expect(outer).toContain('Content-Type: application/http');
    const [statusLine, ...headerLines] = status.split('\r\n');
    const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    const bodyText = rest.join('\r\n\r\n').replace(/\r\n$/, '');
    return { contentId, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)![1]), headers, body: bodyText ? JSON.parse(bodyText) : undefined };
  });
}

async function postBatch(server: FixtureServer, parts: Part[], authorization?: string): Promise<{ status: number; contentType: string; text: string }> {
  const { body, contentType } = batchBody(parts);
  const response = await fetch(`${server.url}batch/gmail/v1`, { method: 'POST', body, headers: { 'content-type': contentType, ...(authorization ? { authorization } : {}) } });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

describe('POST /batch/gmail/v1', () => {
  it('answers 100 gets part by part (Content-ID response-…, own status), validated against the discovery schemas', async () => {
    const server = await startFixtureServer({ seed: 5, quota: false, mailboxes: [{ generate: { messages: 120 } }] });
    servers.push(server);
    const { accessToken } = await server.control.issueToken({});
    const ids = (await server.control.snapshot({})).messages.map((message) => message.id).slice(0, 98);
    const parts: Part[] = [
      ...ids.map((id) => ({ path: `/gmail/v1/users/me/messages/${id}?format=metadata&alt=json`, contentId: `get-${id}` })),
      { path: '/gmail/v1/users/me/messages/ffffffffffffffff?alt=json', contentId: 'missing' },
      { path: 'https://gmail.googleapis.com/gmail/v1/users/me/labels?alt=json', contentId: 'labels' },
    ];
    const response = await postBatch(server, parts, `Bearer ${accessToken}`);
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^multipart\/mixed; boundary=/);
    const answers = parseBatchResponse(response.contentType, response.text);
    expect(answers).toHaveLength(100);
    expect(answers.map((answer) => answer.contentId)).toEqual(parts.map((part) => `response-${part.contentId}`));
    for (const [index, id] of ids.entries()) {
      expect(answers[index].status).toBe(200);
      expect(answers[index].headers['content-type']).toMatch(/^application\/json/);
      expect(answers[index].body).toMatchObject({ id });
      expectSchema(answers[index].body, 'Message');
    }
    expect(answers[98]).toMatchObject({ status: 404, body: { error: { code: 404, status: 'NOT_FOUND' } } });
    expect(answers[99].status).toBe(200);
    expectSchema(answers[99].body, 'ListLabelsResponse');
    // Each part went through the router: 100 Gmail requests in the log, plus the batch itself.
    const log = await server.control.requests();
    expect(log.filter((entry) => entry.path.startsWith('/gmail/v1/')).length).toBe(100);
    expect(log.filter((entry) => entry.path.startsWith('/batch/gmail/v1')).length).toBe(1);
  });

  it('refuses more than 100 parts with 400, and a body that is not multipart', async () => {
    const server = await startFixtureServer({ quota: false, mailboxes: [{ generate: { messages: 1 } }] });
    servers.push(server);
    const { accessToken } = await server.control.issueToken({});
    const parts = Array.from({ length: 101 }, () => ({ path: '/gmail/v1/users/me/profile' }));
    const tooMany = await postBatch(server, parts, `Bearer ${accessToken}`);
    expect(tooMany.status).toBe(400);
    expect(JSON.parse(tooMany.text)).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT', message: expect.stringContaining('at most 100') } });
    expect((await server.control.requests()).filter((entry) => entry.path.startsWith('/gmail/v1/'))).toHaveLength(0);
    const notMultipart = await fetch(`${server.url}batch/gmail/v1`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(notMultipart.status).toBe(400);
    expect((await fetch(`${server.url}batch/gmail/v1`)).status).toBe(405);
  });

  it('authenticates and charges quota per part: a part without a token is 401, parts beyond the quota are 429', async () => {
    const server = await startFixtureServer({ quota: 50, mailboxes: [{ generate: { messages: 60 } }] });
    servers.push(server);
    const { accessToken } = await server.control.issueToken({});
    const ids = (await server.control.snapshot({})).messages.map((message) => message.id);
    // No outer Authorization: each part carries its own (or none).
    const parts: Part[] = [{ path: '/gmail/v1/users/me/profile' }, ...ids.map((id) => ({ path: `/gmail/v1/users/me/messages/${id}`, headers: { Authorization: `Bearer ${accessToken}` } }))];
    const answers = parseBatchResponse(...((response) => [response.contentType, response.text] as const)(await postBatch(server, parts)));
    expect(answers[0]).toMatchObject({ status: 401, body: { error: { code: 401 } } });
    const statuses = answers.slice(1).map((answer) => answer.status);
    // 50 units per second, 5 per messages.get: 10 fit at once (plus the refill), the rest are told to back off.
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(10);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(20);
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
    const limited = answers.find((answer) => answer.status === 429)!;
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
  });
});
