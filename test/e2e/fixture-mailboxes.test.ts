/**
 * Issue 14, "Fixture mailboxes": through the built CLI, against a real fixture server. A mailbox
 * signed in with `login --fixture` remembers its server (trigger and fixtures need no --server),
 * hints name the command that works, --login-hint is honoured, `fixtures messages` lists ids, and
 * every event type mailmon emits can be triggered (with overrides) through the real pipeline.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { parseJson, runCli, startCli, tempHome, waitForLine } from '../support/cli.js';

interface Ready {
  url: string;
  controlToken: string;
}

interface EventOut {
  id: string;
  type: string;
  emailAddress: string;
  data: Record<string, unknown>;
}

describe('fixture mailboxes (built CLI)', () => {
  const children: ChildProcessWithoutNullStreams[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  async function serve(home: string, extra: string[] = []): Promise<Ready> {
    const child = startCli(['fixtures', 'serve', '--json', '--port', '0', '--messages', '8', '--seed', '3', ...extra], { home });
    children.push(child);
    return parseJson<Ready>(await waitForLine(child, 'stdout', (line) => line.trim() !== ''));
  }

  async function ok(args: string[], home: string) {
    const result = await runCli(args, { home });
    expect(result.exitCode, `${args.join(' ')}\n${result.stderr}${result.stdout}`).toBe(0);
    return result;
  }

  /** Syncs (expecting `exitCode`), then returns the events appended since the last call. */
  function eventWatcher(home: string) {
    let seen = 0;
    return async (exitCode = 0): Promise<EventOut[]> => {
      expect((await runCli(['sync'], { home })).exitCode).toBe(exitCode);
      const all = parseJson<EventOut[]>((await ok(['events', 'list', '--limit', '500', '--json'], home)).stdout);
      const fresh = all.slice(seen);
      seen = all.length;
      return fresh;
    };
  }

  it('login --fixture remembers the server: trigger and fixtures need no --server; a revoked token\'s hint names "login --fixture", which works', async () => {
    const home = tempHome();
    const ready = await serve(home);
    await ok(['login', '--fixture', ready.url, '--json'], home);
    await ok(['sync', '--json'], home);

    // No --server, no MAILMON_FIXTURE_URL: the mailbox's server is used.
    const created = await ok(['trigger', 'message.created', '--json'], home);
    expect(parseJson(created.stdout)).toMatchObject({ event: 'message.created', mailbox: 'dev@mailmon.test' });
    const status = parseJson<{ mailboxes: Array<{ messagesTotal: number }> }>((await ok(['fixtures', 'status', '--json'], home)).stdout);
    expect(status.mailboxes[0].messagesTotal).toBe(9);

    // A revoked token: the hint names the fixture login, not the Google one (which has no OAuth client here).
    await ok(['fixtures', 'revoke-token'], home);
    const refused = await runCli(['sync', '--json'], { home });
    expect(refused.exitCode).toBe(5);
    const hint = parseJson<{ error: { code: string; hint: string } }>(refused.stdout).error;
    expect(hint.code).toBe('reauth_required');
    expect(hint.hint).toContain(`mailmon login --fixture ${ready.url}`);
    const again = await runCli(['sync', '--json'], { home });
    expect(parseJson<{ error: { hint: string } }>(again.stdout).error.hint).toContain(`mailmon login --fixture ${ready.url}`);
    const doctor = await runCli(['doctor', '--json'], { home });
    expect(doctor.stdout).toContain(`mailmon login --fixture ${ready.url}`);

    // The hinted command, run as written, signs the mailbox in again.
    const command = /"mailmon (login --fixture \S+ --login-hint \S+)"/.exec(hint.hint)![1].split(' ');
    await ok([...command, '--json'], home);
    await ok(['sync', '--json'], home);
    const mailboxes = parseJson<Array<{ status: string }>>((await ok(['mailboxes', '--json'], home)).stdout);
    expect(mailboxes.map((mailbox) => mailbox.status)).toEqual(['active']);
  }, 180_000);

  it('with two fixture mailboxes, --mailbox picks the remembered one; without it the error lists them', async () => {
    const home = tempHome();
    const ready = await serve(home, ['--email', 'dev@mailmon.test', '--email', 'ops@mailmon.test']);
    await ok(['login', '--fixture', ready.url, '--login-hint', 'dev@mailmon.test'], home);
    await ok(['login', '--fixture', ready.url, '--login-hint', 'ops@mailmon.test'], home);
    const ambiguous = await runCli(['trigger', 'message.created', '--json'], { home });
    expect(ambiguous.exitCode).toBe(2);
    expect(parseJson(ambiguous.stdout)).toMatchObject({ error: { code: 'usage', hint: expect.stringContaining('dev@mailmon.test, ops@mailmon.test') } });
    const ops = await ok(['trigger', 'message.created', '--mailbox', 'ops@mailmon.test', '--json'], home);
    expect(parseJson(ops.stdout)).toMatchObject({ mailbox: 'ops@mailmon.test' });
  }, 180_000);

  it('login --fixture --login-hint with an address the server does not have is refused and saves nothing', async () => {
    const home = tempHome();
    const ready = await serve(home);
    const refused = await runCli(['login', '--fixture', ready.url, '--login-hint', 'nobody@x.test', '--json'], { home });
    expect(refused.exitCode).toBe(5);
    expect(parseJson(refused.stdout)).toMatchObject({ error: { code: 'login_hint_mismatch', message: expect.stringContaining('Signed in as dev@mailmon.test, not nobody@x.test'), hint: expect.stringContaining('fixtures status') } });
    expect(parseJson((await ok(['mailboxes', '--json'], home)).stdout)).toEqual([]);
    // The matching hint (any case) signs in.
    await ok(['login', '--fixture', ready.url, '--login-hint', 'DEV@mailmon.test'], home);
  }, 180_000);

  it('fixtures messages lists ids, threads, labels and subjects (--limit, --json); delete of an unknown id points at it', async () => {
    const home = tempHome();
    const ready = await serve(home);
    const server = ['--server', ready.url];
    await ok(['trigger', 'message.created', '--override', 'subject=Newest one', ...server], home);
    const listed = parseJson<{ mailbox: string; total: number; messages: Array<{ id: string; threadId: string; labelIds: string[]; subject: string }> }>((await ok(['fixtures', 'messages', '--limit', '3', '--json', ...server], home)).stdout);
    expect(listed).toMatchObject({ mailbox: 'dev@mailmon.test', total: 9 });
    expect(listed.messages).toHaveLength(3);
    expect(listed.messages[0]).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{16}$/), threadId: expect.stringMatching(/^[0-9a-f]{16}$/), subject: 'Newest one', labelIds: expect.arrayContaining(['INBOX']) });
    const human = (await ok(['fixtures', 'messages', '--limit', '2', ...server], home)).stdout;
    expect(human).toMatch(/^ID\s+THREAD\s+LABELS\s+SUBJECT\n/);
    expect(human).toContain(`${listed.messages[0].id}  ${listed.messages[0].threadId}`);
    expect(human).toContain('2 of 9 messages in dev@mailmon.test.');

    const unknown = await runCli(['fixtures', 'delete', 'ffffffffffffffff', ...server], { home });
    expect(unknown.exitCode).toBe(8);
    expect(unknown.stderr).toContain('mailmon fixtures messages');
    await ok(['fixtures', 'delete', listed.messages[0].id, ...server], home);
  }, 180_000);

  it('trigger --list names every event type mailmon emits, and each one arrives through sync (with overrides)', async () => {
    const home = tempHome();
    const ready = await serve(home);
    const list = parseJson<{ events: Array<{ type: string }> }>((await ok(['trigger', '--list', '--json'], home)).stdout);
    expect(list.events.map((entry) => entry.type).sort()).toEqual(['mailbox.resynced', 'mailbox.status_changed', 'message.created', 'message.deleted', 'message.updated', 'thread.updated']);
    expect((await ok(['trigger', '--list'], home)).stdout).toMatch(/^mailbox\.resynced\s+expires/m);
    const bad = await runCli(['trigger', 'message.created', '--override', 'colour=red'], { home });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('subject');

    await ok(['login', '--fixture', ready.url], home);
    const syncedEvents = eventWatcher(home);
    await syncedEvents();

    const created = parseJson<{ id: string; threadId: string }>((await ok(['trigger', 'message.created', '--override', 'subject=Invoice 42', '--from', 'Billing <billing@example.com>', '--label', 'INBOX', '--label', 'STARRED', '--json'], home)).stdout);
    let events = await syncedEvents();
    expect(events.map((event) => event.type).sort()).toEqual(['message.created', 'thread.updated']);
    expect(events.find((event) => event.type === 'message.created')!.data).toMatchObject({ subject: 'Invoice 42', from: { address: 'billing@example.com' }, labelIds: expect.arrayContaining(['STARRED']), providerMessageId: created.id });

    await ok(['trigger', 'message.updated', '--label', 'IMPORTANT', '--override', `id=${created.id}`], home);
    events = await syncedEvents();
    expect(events.find((event) => event.type === 'message.updated')!.data).toMatchObject({ providerMessageId: created.id, labelsAdded: ['IMPORTANT'] });

    await ok(['trigger', 'thread.updated', '--override', `threadId=${created.threadId}`], home);
    events = await syncedEvents();
    expect(events.find((event) => event.type === 'thread.updated')!.data).toMatchObject({ providerThreadId: created.threadId, messageCount: 2 });

    await ok(['trigger', 'message.deleted', '--override', `id=${created.id}`], home);
    events = await syncedEvents();
    expect(events.find((event) => event.type === 'message.deleted')!.data).toMatchObject({ providerMessageId: created.id });

    await ok(['trigger', 'mailbox.resynced'], home);
    events = await syncedEvents();
    expect(events.map((event) => event.type)).toEqual(['mailbox.resynced']);
    expect(events[0].data).toMatchObject({ reason: 'history_expired' });

    await ok(['trigger', 'mailbox.status_changed'], home);
    events = await syncedEvents(5);
    expect(events.map((event) => event.type)).toEqual(['mailbox.status_changed']);
    expect(events[0].data).toMatchObject({ previousStatus: 'active', status: 'reauth_required' });
  }, 240_000);
});
