import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseJson, runCli, startCli, tempHome, waitForLine } from '../support/cli.js';

interface Ready {
  ready: boolean;
  url: string;
  controlToken: string;
  gmailApiUrl: string;
  oauthUrl: string;
  mailboxes: Array<{ emailAddress: string; messagesTotal: number }>;
}

const exited = (child: ChildProcessWithoutNullStreams) => new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

describe('mailmon fixtures (built CLI)', () => {
  const children: ChildProcessWithoutNullStreams[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('serve --json prints the ready line first; send, trigger and faults change it; SIGINT exits 0', async () => {
    const home = tempHome();
    const child = startCli(['fixtures', 'serve', '--json', '--port', '0', '--messages', '25', '--seed', '7', '--email', 'dev@mailmon.test', '--email', 'ops@mailmon.test'], { home });
    children.push(child);
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const first = await waitForLine(child, 'stdout', (line) => line.trim() !== '');
    const ready = parseJson<Ready>(first);
    expect(ready).toMatchObject({ ready: true, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/), mailboxes: [{ emailAddress: 'dev@mailmon.test', messagesTotal: 25 }, { emailAddress: 'ops@mailmon.test', messagesTotal: 25 }] });
    expect(ready.gmailApiUrl).toBe(ready.url);
    // The control token is in the ready line, and recorded (0600) for commands sharing this home.
    expect(ready.controlToken).toMatch(/^mmfx_[\w-]{32}$/);
    const record = path.join(home, 'run', `fixture-server-${new URL(ready.url).port}.json`);
    expect(fs.statSync(record).mode & 0o777).toBe(0o600);
    expect(ready.oauthUrl).toBe(ready.url);
    const server = ['--server', ready.url];

    const sent = await runCli(['fixtures', 'send', ...server, '--subject', 'From e2e', '--attach', 'report.pdf:application/pdf:1000', '--json'], { home });
    expect(sent.exitCode, sent.stderr).toBe(0);
    const message = parseJson<{ id: string; threadId: string; historyId: string }>(sent.stdout);
    expect(message.id).toMatch(/^[0-9a-f]{16}$/);

    const created = await runCli(['trigger', 'message.created', '--mailbox', 'ops@mailmon.test'], { home, env: { MAILMON_FIXTURE_URL: ready.url } });
    expect(created.exitCode, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^message\.created: message [0-9a-f]{16} in ops@mailmon\.test new message/);

    const status = parseJson<{ mailboxes: Array<{ emailAddress: string; messagesTotal: number }> }>((await runCli(['fixtures', 'status', ...server, '--json'], { home })).stdout);
    expect(status.mailboxes.map((mailbox) => [mailbox.emailAddress, mailbox.messagesTotal])).toEqual([['dev@mailmon.test', 26], ['ops@mailmon.test', 26]]);

    const modified = await runCli(['fixtures', 'modify', message.id, '--remove', 'UNREAD', '--add', 'STARRED', ...server, '--json'], { home });
    expect(parseJson<{ labelIds: string[] }>(modified.stdout).labelIds).toEqual(['CATEGORY_PERSONAL', 'INBOX', 'STARRED']);
    const updated = await runCli(['trigger', 'message.updated', ...server, '--json'], { home });
    expect(parseJson<{ event: string; change: string }>(updated.stdout)).toMatchObject({ event: 'message.updated', change: expect.stringMatching(/UNREAD/) });
    const deleted = await runCli(['trigger', 'message.deleted', ...server, '--json'], { home });
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    const deletedId = parseJson<{ id: string }>(deleted.stdout).id;

    expect((await fetch(`${ready.url}__fixture/snapshot`)).status).toBe(401);
    const snapshot = await (await fetch(`${ready.url}__fixture/snapshot`, { headers: { authorization: `Bearer ${ready.controlToken}` } })).json() as { messages: Array<{ id: string }> };
    expect(snapshot.messages.some((entry) => entry.id === message.id)).toBe(deletedId !== message.id);
    expect(snapshot.messages.some((entry) => entry.id === deletedId)).toBe(false);

    const faults = await runCli(['fixtures', 'faults', '--rate-429', '0.5', '--seed', '2', ...server], { home });
    expect(faults.stdout).toContain('rate429=0.5');
    expect((await runCli(['fixtures', 'faults', '--clear', ...server], { home })).stdout).toContain('No faults active.');
    const expired = await runCli(['fixtures', 'expire-history', ...server], { home });
    expect(expired.stdout).toMatch(/History of dev@mailmon\.test expired/);
    const unknown = await runCli(['fixtures', 'delete', 'ffffffffffffffff', ...server, '--json'], { home });
    expect(unknown.exitCode).toBe(8);
    expect(parseJson(unknown.stdout)).toMatchObject({ error: { code: 'not_found' } });

    const exit = exited(child);
    child.kill('SIGINT');
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(record)).toBe(false);
  });

  it('serve without --json prints the URL and the exact env lines; SIGTERM exits 0', async () => {
    const child = startCli(['fixtures', 'serve', '--messages', '3'], { home: tempHome() });
    children.push(child);
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    await waitForLine(child, 'stdout', (line) => line.startsWith('Ready.'));
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)![1];
    expect(stdout).toContain(`export MAILMON_GMAIL_API_URL=${url}\n`);
    expect(stdout).toContain(`export MAILMON_OAUTH_URL=${url}\n`);
    const token = /export MAILMON_FIXTURE_TOKEN=(mmfx_[\w-]+)\n/.exec(stdout)![1];
    // Another home (no record of this server): the CLI needs the printed token line.
    const elsewhere = tempHome();
    const refused = await runCli(['fixtures', 'status', '--server', url, '--json'], { home: elsewhere });
    expect(refused.exitCode).toBe(5);
    expect(parseJson(refused.stdout)).toMatchObject({ error: { code: 'fixture_unauthorized', hint: expect.stringContaining('MAILMON_FIXTURE_TOKEN') } });
    const withToken = await runCli(['trigger', 'message.created', '--server', url], { home: elsewhere, env: { MAILMON_FIXTURE_TOKEN: token } });
    expect(withToken.exitCode, withToken.stderr).toBe(0);
    const exit = exited(child);
    child.kill('SIGTERM');
    expect((await exit).code).toBe(0);
  });

  it('push: watch-status, push-faults (drop, expire-watch) and requests showing the watch and the pulls', async () => {
    const home = tempHome();
    const child = startCli(['fixtures', 'serve', '--json', '--messages', '5', '--pubsub-any-token'], { home });
    children.push(child);
    const ready = parseJson<Ready>(await waitForLine(child, 'stdout', (line) => line.trim() !== ''));
    const server = ['--server', ready.url];
    const control = (op: string) => fetch(`${ready.url}__fixture/${op}`, { method: 'POST', headers: { authorization: `Bearer ${ready.controlToken}` } }).then((response) => response.json() as Promise<{ accessToken: string }>);
    const { accessToken } = await control('issue-token');
    const call = (method: string, path: string, body: unknown) => fetch(`${ready.url}${path}`, { method, headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await call('PUT', 'v1/projects/p/topics/gmail', {})).status).toBe(200);
    expect((await call('PUT', 'v1/projects/p/subscriptions/sub', { topic: 'projects/p/topics/gmail' })).status).toBe(200);
    expect((await call('POST', 'gmail/v1/users/me/watch', { topicName: 'projects/p/topics/gmail' })).status).toBe(200);

    expect((await runCli(['trigger', 'message.created', ...server], { home })).exitCode).toBe(0);
    const human = await runCli(['fixtures', 'watch-status', ...server], { home });
    expect(human.stdout).toMatch(/dev@mailmon\.test\s+projects\/p\/topics\/gmail\s+all\s+\S+\s+1\s+0/);
    expect(human.stdout).toMatch(/projects\/p\/subscriptions\/sub\s+projects\/p\/topics\/gmail\s+1\s+0/);

    const faults = await runCli(['fixtures', 'push-faults', '--drop-rate', '1', ...server], { home });
    expect(faults.stdout).toContain('Push faults active: dropRate=1.');
    await runCli(['trigger', 'message.updated', ...server], { home });
    const pulled = (await (await call('POST', 'v1/projects/p/subscriptions/sub:pull', { maxMessages: 10 })).json()) as { receivedMessages: unknown[] };
    expect(pulled.receivedMessages).toHaveLength(1);
    const requests = await runCli(['fixtures', 'requests', ...server], { home });
    expect(requests.stdout).toMatch(/200\s+100u\s+POST \/gmail\/v1\/users\/me\/watch/);
    expect(requests.stdout).toMatch(/200\s+0u\s+POST \/v1\/projects\/p\/subscriptions\/sub:pull/);

    const expired = await runCli(['fixtures', 'push-faults', '--expire-watch', '--clear', ...server], { home });
    expect(expired.stdout).toContain('No push faults active.');
    const status = parseJson<{ mailboxes: Array<{ watch: unknown }>; faults: unknown }>((await runCli(['fixtures', 'watch-status', ...server, '--json'], { home })).stdout);
    expect(status).toMatchObject({ mailboxes: [{ watch: { topicName: 'projects/p/topics/gmail', published: 1, dropped: 1, expired: true } }], faults: {} });
  });

  it('refuses a non-loopback --host without --allow-remote (usage error)', async () => {
    const refused = await runCli(['fixtures', 'serve', '--host', '0.0.0.0', '--messages', '1', '--json'], { home: tempHome() });
    expect(refused.exitCode).toBe(2);
    expect(parseJson(refused.stdout)).toMatchObject({ error: { code: 'usage', message: expect.stringContaining('0.0.0.0'), hint: expect.stringContaining('--allow-remote') } });
  });

  it('says what to do when there is no server to talk to', async () => {
    const missing = await runCli(['trigger', 'message.created'], { home: tempHome() });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/No --server given[\s\S]*mailmon fixtures serve/);
    const down = await runCli(['fixtures', 'status', '--server', 'http://127.0.0.1:9/'], { home: tempHome() });
    expect(down.exitCode).toBe(6);
    expect(down.stderr).toContain('Cannot reach the fixture server at http://127.0.0.1:9/.');
  });
});
