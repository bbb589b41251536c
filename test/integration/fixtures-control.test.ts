import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FixtureControlApi } from '../../src/fixtures/control-api.js';
import { FixtureControlClient } from '../../src/fixtures/control-client.js';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { connectedGmail } from '../support/fixture-gmail.js';

// One contract, two implementations: the in-process control and the HTTP client must agree.
describe.each([
  ['in process', (server: FixtureServer): FixtureControlApi => server.control],
  ['over HTTP', (server: FixtureServer): FixtureControlApi => server.controlClient()],
])('the fixture control API (%s)', (_name, controlOf) => {
  let server: FixtureServer;
  let control: FixtureControlApi;

  beforeEach(async () => {
    server = await startFixtureServer({ seed: 9, quota: false, mailboxes: [{ generate: { messages: 10 } }] });
    control = controlOf(server);
  });
  afterEach(() => server.close());

  it('status, addMailbox and snapshot describe the truth', async () => {
    const added = await control.addMailbox({ emailAddress: 'new@mailmon.test', generate: { messages: 4, seed: 1 } });
    expect(added).toMatchObject({ emailAddress: 'new@mailmon.test', messagesTotal: 4 });
    const status = await control.status();
    expect(status.mailboxes.map((mailbox) => [mailbox.emailAddress, mailbox.messagesTotal])).toEqual([['dev@mailmon.test', 10], ['new@mailmon.test', 4]]);
    const snapshot = await control.snapshot({ mailbox: 'new@mailmon.test' });
    expect(snapshot.messages).toHaveLength(4);
    expect(snapshot.messages.map((message) => message.id)).toEqual([...snapshot.messages.map((message) => message.id)].sort());
    expect(snapshot.historyId).toBe(status.mailboxes[1].historyId);
    await expect(control.addMailbox({ emailAddress: 'new@mailmon.test' })).rejects.toMatchObject({ code: 'fixture_error' });
  });

  it('send, reply into a thread, modify, trash, untrash and delete change the mailbox and its history', async () => {
    const sent = await control.send({ subject: 'first', attachments: [{ filename: 'a.txt', size: 10 }] });
    const reply = await control.send({ threadId: sent.threadId, from: 'dev@mailmon.test', text: 'reply' });
    expect(reply.threadId).toBe(sent.threadId);
    expect(Number(reply.historyId)).toBeGreaterThan(Number(sent.historyId));
    const modified = await control.modify({ id: sent.id, addLabelIds: ['STARRED'], removeLabelIds: ['UNREAD'] });
    expect(modified.labelIds).toEqual(['CATEGORY_PERSONAL', 'INBOX', 'STARRED']);
    expect((await control.trash({ id: sent.id })).labelIds).toEqual(['CATEGORY_PERSONAL', 'STARRED', 'TRASH']);
    expect((await control.untrash({ id: sent.id })).labelIds).toEqual(['CATEGORY_PERSONAL', 'INBOX', 'STARRED']);
    const deleted = await control.delete({ id: reply.id });
    expect(deleted).toMatchObject({ id: reply.id, deleted: true });
    const snapshot = await control.snapshot();
    expect(snapshot.messages.find((message) => message.id === reply.id)).toBeUndefined();
    expect(snapshot.messages.find((message) => message.id === sent.id)?.labelIds).toEqual(['CATEGORY_PERSONAL', 'INBOX', 'STARRED']);
    const { api } = await connectedGmail(server);
    const reply2 = await control.send({ threadId: sent.threadId });
    const headers = (await api.users.messages.get({ userId: 'me', id: reply2.id, format: 'metadata' })).data.payload!.headers!;
    expect(headers.find((header) => header.name === 'Subject')?.value).toBe('Re: first');
    expect(headers.find((header) => header.name === 'In-Reply-To')?.value).toBe(`<${sent.id}@mail.mailmon.test>`);
  });

  it('explains unknown mailboxes, messages and labels with stable codes', async () => {
    await expect(control.send({ mailbox: 'nobody@mailmon.test' })).rejects.toMatchObject({ code: 'mailbox_not_found' });
    await expect(control.delete({ id: 'ffffffffffffffff' })).rejects.toMatchObject({ code: 'not_found' });
    const id = (await control.snapshot()).messages[0].id;
    await expect(control.modify({ id, addLabelIds: ['NOPE'] })).rejects.toMatchObject({ code: 'fixture_error', message: 'Invalid label: NOPE' });
    await expect(control.setFaults({ rate429: 2 })).rejects.toMatchObject({ code: 'fixture_error' });
  });

  it('faults, tokens and the request log', async () => {
    expect(await control.setFaults({ rate5xx: 0.25, seed: 4 })).toEqual({ rate5xx: 0.25, seed: 4 });
    expect(await control.clearFaults()).toEqual({});
    const issued = await control.issueToken();
    expect(issued.accessToken).toMatch(/^ya29\./);
    expect(issued.refreshToken).toMatch(/^1\/\//);
    const before = Date.now();
    await fetch(`${server.url}gmail/v1/users/me/profile`, { headers: { authorization: `Bearer ${issued.accessToken}` } });
    const log = await control.requests({ since: new Date(before - 1).toISOString() });
    expect(log).toEqual([{ at: expect.any(String), method: 'GET', path: '/gmail/v1/users/me/profile', status: 200, quotaUnits: 1, mailbox: 'dev@mailmon.test' }]);
    expect(await control.requests({ since: Date.now() + 60_000 })).toEqual([]);
    await control.clearRequests();
    expect(await control.requests()).toEqual([]);
    expect(await control.revokeToken()).toEqual({ mailbox: 'dev@mailmon.test', revoked: 1 });
    const expired = await control.expireHistory();
    const reset = await control.resetHistory();
    expect(Number(reset.mailboxes[0].historyId)).toBeGreaterThan(Number(expired.historyId));
  });
});

describe('the control HTTP surface', () => {
  it('answers unknown operations and wrong methods clearly, and the client names an unreachable server', async () => {
    const server = await startFixtureServer({ mailboxes: [{ generate: { messages: 1 } }] });
    const headers = { authorization: `Bearer ${server.controlToken}` };
    const unknown = await fetch(`${server.url}__fixture/nope`, { headers });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { hint: string } }).error.hint).toContain('send');
    expect((await fetch(`${server.url}__fixture/send`, { headers })).status).toBe(405);
    await server.close();
    await expect(new FixtureControlClient(server.url).status()).rejects.toMatchObject({ code: 'unreachable' });
    expect(() => new FixtureControlClient('not a url')).toThrow(expect.objectContaining({ code: 'bad_url' }));
  });

  it('refuses control requests without the server\'s token (401, JSON error), accepts them with it', async () => {
    const server = await startFixtureServer({ mailboxes: [{ generate: { messages: 1 } }] });
    try {
      expect(server.controlToken).toMatch(/^mmfx_[\w-]{32}$/);
      for (const [path, init] of [['issue-token', { method: 'POST' }], ['status', {}], ['snapshot', {}], ['send', { method: 'POST' }]] as const) {
        for (const authorization of [undefined, 'Bearer wrong', `Bearer ${server.controlToken}x`, server.controlToken]) {
          const response = await fetch(`${server.url}__fixture/${path}`, { ...init, headers: authorization === undefined ? {} : { authorization } });
          expect(response.status, `${path} ${authorization}`).toBe(401);
          expect(response.headers.get('www-authenticate')).toContain('Bearer');
          const body = (await response.json()) as { error: { code: string; message: string; hint: string } };
          expect(body.error).toMatchObject({ code: 'fixture_unauthorized', message: expect.stringContaining('control token'), hint: expect.stringContaining('MAILMON_FIXTURE_TOKEN') });
          expect(JSON.stringify(body)).not.toMatch(/ya29\.|1\/\//);
        }
      }
      const issued = await fetch(`${server.url}__fixture/issue-token`, { method: 'POST', headers: { authorization: `Bearer ${server.controlToken}` } });
      expect(issued.status).toBe(200);
      expect(((await issued.json()) as { accessToken: string }).accessToken).toMatch(/^ya29\./);
      // The client without (or with a wrong) token: a MailmonError with a hint, exit code of auth.
      await expect(new FixtureControlClient(server.url).status()).rejects.toMatchObject({ code: 'fixture_unauthorized', hint: expect.stringContaining('MAILMON_FIXTURE_TOKEN'), exitCode: 5 });
      await expect(new FixtureControlClient(server.url, { token: 'mmfx_wrong' }).status()).rejects.toMatchObject({ code: 'fixture_unauthorized', message: expect.stringContaining('refused') });
      expect((await new FixtureControlClient(server.url, { token: server.controlToken }).status()).mailboxes).toHaveLength(1);
    } finally {
      await server.close();
    }
    const fixed = await startFixtureServer({ controlToken: 'mmfx_chosen-by-the-test', mailboxes: [{ generate: { messages: 1 } }] });
    expect(fixed.controlToken).toBe('mmfx_chosen-by-the-test');
    expect((await new FixtureControlClient(fixed.url, { token: 'mmfx_chosen-by-the-test' }).status()).mailboxes).toHaveLength(1);
    await fixed.close();
  });

  it('refuses a non-loopback host unless allowRemote says so', async () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10']) {
      await expect(startFixtureServer({ host, mailboxes: [{ generate: { messages: 1 } }] })).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('not a loopback address'), hint: expect.stringContaining('--allow-remote') });
    }
    const remote = await startFixtureServer({ host: '0.0.0.0', allowRemote: true, mailboxes: [{ generate: { messages: 1 } }] });
    expect(remote.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/$/);
    expect((await fetch(`http://127.0.0.1:${new URL(remote.url).port}/__fixture/status`)).status).toBe(401);
    await remote.close();
    const local = await startFixtureServer({ host: 'localhost', mailboxes: [{ generate: { messages: 1 } }] });
    await local.close();
  });

  it('explains a port that is taken', async () => {
    const first = await startFixtureServer({ mailboxes: [{ generate: { messages: 1 } }] });
    const port = Number(new URL(first.url).port);
    await expect(startFixtureServer({ port, mailboxes: [{ generate: { messages: 1 } }] })).rejects.toMatchObject({ code: 'fixture_error', message: expect.stringContaining('EADDRINUSE') });
    await first.close();
  });

  it('shuffle gives a seeded, stable, complete listing order', async () => {
    const server = await startFixtureServer({ seed: 3, shuffle: true, quota: false, mailboxes: [{ generate: { messages: 60 } }] });
    const { api } = await connectedGmail(server);
    const listAll = async () => {
      const ids: string[] = [];
      let pageToken: string | undefined;
      do {
        const { data } = await api.users.messages.list({ userId: 'me', maxResults: 7, pageToken, includeSpamTrash: true });
        ids.push(...data.messages!.map((message) => message.id!));
        pageToken = data.nextPageToken ?? undefined;
      } while (pageToken);
      return ids;
    };
    const first = await listAll();
    expect(first).toHaveLength(60);
    expect(first).not.toEqual([...first].sort().reverse());
    expect(await listAll()).toEqual(first);
    await server.close();
  });

  it('a connection-reset fault drops the connection; a latency fault delays the answer', async () => {
    const server = await startFixtureServer({ mailboxes: [{ generate: { messages: 1 } }] });
    const { accessToken } = await server.control.issueToken();
    const headers = { authorization: `Bearer ${accessToken}` };
    await server.control.setFaults({ resetRate: 1 });
    await expect(fetch(`${server.url}gmail/v1/users/me/profile`, { headers })).rejects.toThrow();
    await server.control.setFaults({ resetRate: 0, latencyMs: 120 });
    const started = performance.now();
    expect((await fetch(`${server.url}gmail/v1/users/me/profile`, { headers })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    await server.close();
  });
});
