import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { parseJson, runCli, tempHome } from '../support/cli.js';

// The fixture runs without quota; lift the client-side limiter too (it defaults to Gmail's 250 units/s).
const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '100000' };
import { foldEvents } from '../support/event-fold.js';
import type { MailmonEvent } from '../../src/core/events.js';

/** How many `sync` commands race for one mailbox (npm run test:chaos: 40). */
const CONCURRENT_SYNCS = Number(process.env.MAILMON_CHAOS_CONCURRENT_SYNCS ?? 10);

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer({ quota: false, seed: 21, mailboxes: [{ generate: { messages: 300, seed: 21 } }] });
});
afterAll(async () => server?.close());

function walk(dir: string): string[] {
  return [dir, ...fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)]))];
}

async function snapshot() {
  return (await server.control.snapshot({})).messages.map((m) => ({ id: m.id, labelIds: [...m.labelIds].sort() })).sort((a, b) => a.id.localeCompare(b.id));
}

describe('mailmon sync (built CLI)', () => {
  it('logs in to the fixture, syncs, lists, verifies; a second login reuses the mailbox', async () => {
    const home = tempHome();
    const loggedIn = await runCli(['login', '--fixture', server.url, '--json'], { home, env });
    expect(loggedIn.exitCode, loggedIn.stderr).toBe(0);
    const mailbox = parseJson<{ mailboxId: string; emailAddress: string; status: string }>(loggedIn.stdout);
    expect(mailbox).toMatchObject({ mailboxId: expect.stringMatching(/^mbx_/), emailAddress: 'dev@mailmon.test', status: 'pending' });

    const sync = await runCli(['sync', '--json'], { home, env, timeoutMs: 60_000 });
    expect(sync.exitCode, sync.stderr).toBe(0);
    expect(parseJson(sync.stdout)).toMatchObject({ results: [{ kind: 'full', created: 300 }] });

    const list = await runCli(['messages', 'list', '--limit', '5', '--json'], { home, env });
    expect(parseJson<unknown[]>(list.stdout)).toHaveLength(5);
    const mailboxes = parseJson<Array<{ status: string; messageCount: number }>>((await runCli(['mailboxes', '--json'], { home, env })).stdout);
    expect(mailboxes).toEqual([expect.objectContaining({ status: 'active', messageCount: 300 })]);

    const verify = await runCli(['verify', '--json'], { home, env });
    expect(verify.exitCode, verify.stdout + verify.stderr).toBe(0);

    // No token in plaintext anywhere under the home, nor in anything printed; private permissions.
    const tokenPattern = /(1\/\/[A-Za-z0-9_-]{8,}|ya29\.[A-Za-z0-9_-]{8,})/;
    for (const output of [loggedIn, sync, list, verify]) expect(output.stdout + output.stderr).not.toMatch(tokenPattern);
    for (const file of walk(home)) {
      const mode = fs.statSync(file).mode & 0o777;
      expect(mode.toString(8), file).toBe(fs.statSync(file).isDirectory() ? '700' : '600');
      if (fs.statSync(file).isFile()) expect(fs.readFileSync(file).toString('latin1'), file).not.toMatch(tokenPattern);
    }

    const again = await runCli(['login', '--fixture', server.url, '--json'], { home, env });
    expect(parseJson(again.stdout)).toMatchObject({ mailboxId: mailbox.mailboxId, status: 'active' });
    expect(parseJson<unknown[]>((await runCli(['mailboxes', '--json'], { home, env })).stdout)).toHaveLength(1);
  }, 90_000);

  it(`${CONCURRENT_SYNCS} concurrent syncs run one at a time and write no duplicate event`, async () => {
    const home = tempHome();
    expect((await runCli(['login', '--fixture', server.url], { home, env })).exitCode).toBe(0);
    expect((await runCli(['sync', '--emit-backfill'], { home, env, timeoutMs: 60_000 })).exitCode).toBe(0);
    for (let i = 0; i < 15; i++) await server.control.send({ subject: `concurrent ${i}` });
    const first = (await server.control.snapshot({})).messages[0];
    await server.control.modify({ id: first.id, addLabelIds: ['STARRED'] });
    const results = await Promise.all(Array.from({ length: CONCURRENT_SYNCS }, () => runCli(['sync', '--wait', '60', '--json'], { home, env, timeoutMs: 90_000 })));
    for (const result of results) expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const kinds = results.map((result) => parseJson<{ results: Array<{ kind: string }> }>(result.stdout).results[0].kind);
    expect(kinds.filter((kind) => kind === 'incremental')).toHaveLength(1);
    const events = parseJson<MailmonEvent[]>((await runCli(['events', 'list', '--limit', '100000', '--json'], { home, env })).stdout);
    const folded = foldEvents(events);
    expect(folded.problems).toEqual([]);
    expect(folded.messages).toEqual(await snapshot());
  }, 300_000);

  it('explains a sync with no mailbox, and an unreachable fixture URL', async () => {
    const home = tempHome();
    const none = await runCli(['sync'], { home, env });
    expect(none.exitCode).toBe(8);
    expect(none.stderr).toMatch(/No mailbox is connected yet\.\n→ Run "mailmon login"/);
    const unreachable = await runCli(['login', '--fixture', 'http://127.0.0.1:9/'], { home, env });
    expect(unreachable.exitCode).toBe(6);
    expect(unreachable.stderr).toMatch(/Cannot reach the fixture server/);
    expect(parseJson<unknown[]>((await runCli(['mailboxes', '--json'], { home, env })).stdout)).toEqual([]);
  });
  it('sync --verbose names the call per thread on stderr; config sync.fetch-by-thread false turns threads.get off', async () => {
    const threads = (await server.control.snapshot({})).messages.reduce((counts, m) => counts.set(m.threadId, (counts.get(m.threadId) ?? 0) + 1), new Map<string, number>());
    const long = [...threads].filter(([, count]) => count >= 3).map(([threadId]) => threadId).sort();
    const threadLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('thread '));

    const home = tempHome();
    expect((await runCli(['login', '--fixture', server.url, '--json'], { home, env })).exitCode).toBe(0);
    const byThread = await runCli(['sync', '--json', '--verbose'], { home, env, timeoutMs: 60_000 });
    expect(byThread.exitCode, byThread.stderr).toBe(0);
    expect(parseJson(byThread.stdout)).toMatchObject({ results: [{ kind: 'full', created: [...threads.values()].reduce((sum, count) => sum + count, 0) }] });
    const viaThreads = threadLines(byThread.stderr).filter((line) => line.includes(': threads.get for ')).map((line) => line.split(' ')[1].replace(/:$/, ''));
    expect(viaThreads.sort()).toEqual(long);
    expect(threadLines(byThread.stderr).length).toBe(threads.size);

    const off = tempHome();
    expect((await runCli(['config', 'set', 'sync.fetch-by-thread', 'false'], { home: off, env })).exitCode).toBe(0);
    expect((await runCli(['login', '--fixture', server.url, '--json'], { home: off, env })).exitCode).toBe(0);
    const perMessage = await runCli(['sync', '--json', '--verbose'], { home: off, env, timeoutMs: 60_000 });
    expect(perMessage.exitCode, perMessage.stderr).toBe(0);
    expect(threadLines(perMessage.stderr).length).toBe(threads.size);
    expect(threadLines(perMessage.stderr).every((line) => / messages\.get × \d+$/.test(line))).toBe(true);
    expect(parseJson<{ results: Array<{ quotaUnits: number }> }>(perMessage.stdout).results[0].quotaUnits).toBeGreaterThan(parseJson<{ results: Array<{ quotaUnits: number }> }>(byThread.stdout).results[0].quotaUnits);
    const bad = await runCli(['config', 'set', 'sync.fetch-by-thread', 'maybe'], { home: off, env });
    expect(bad.exitCode).not.toBe(0);
  }, 90_000);
});
