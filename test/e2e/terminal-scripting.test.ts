/**
 * Issue 14, "Terminal hygiene" and "Scripting consistency", through the built CLI: colour on a
 * real pseudo-terminal and NO_COLOR/FORCE_COLOR, tables measured in visible columns, the small
 * texts, JSON shapes (one schema per command output, ISO timestamps, `id` everywhere), -h,
 * exit codes, idempotent `daemon start`, `--status abandoned`, the mailbox column, --yes for
 * destructive commands, and `consumers list|remove`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { eventJsonSchema } from '../../src/core/event-schema.js';
import { parseJson, parseJsonLines, runCli, tempHome } from '../support/cli.js';
import { startServer, type TestServer } from '../support/http-server.js';
import { expectShape } from '../support/json-schemas.js';
import { SGR, runInTerminal, stripSgr } from '../support/terminal.js';

const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '100000', MAILMON_POLL_INTERVAL: '300ms' };
const colour = { NO_COLOR: undefined, FORCE_COLOR: undefined };
let server: FixtureServer;
let home: string;
let firstSync = '';
let receiver: TestServer;
let loginJson: unknown;

beforeAll(async () => {
  server = await startFixtureServer({ quota: false, seed: 14, mailboxes: [{ emailAddress: 'dev@mailmon.test', generate: { messages: 6 } }, { emailAddress: 'ops@mailmon.test', generate: { messages: 4 } }] });
  receiver = await startServer((_request, response) => response.writeHead(204).end());
  home = tempHome('mailmon-u-script-');
  for (const address of ['dev@mailmon.test', 'ops@mailmon.test']) {
    const login = await runCli(['login', '--fixture', server.url, '--login-hint', address, '--json'], { home, env });
    expect(login.exitCode, login.stderr).toBe(0);
    loginJson = parseJson(login.stdout);
  }
  const sync = await runCli(['sync', 'dev@mailmon.test'], { home, env });
  expect(sync.exitCode, sync.stderr).toBe(0);
  firstSync = sync.stdout;
  expect((await runCli(['sync', 'ops@mailmon.test'], { home, env })).exitCode).toBe(0);
});
afterAll(async () => {
  await receiver?.close();
  await server?.close();
});

async function addEndpoint(url: string, target = home, extra: string[] = []): Promise<{ id: string; secret: string }> {
  const added = await runCli(['webhooks', 'add', url, '--skip-verification', '--json', ...extra], { home: target, env });
  expect(added.exitCode, added.stderr).toBe(0);
  return parseJson(added.stdout);
}

async function json<T = unknown>(args: string[], target = home): Promise<T> {
  const result = await runCli([...args, '--json'], { home: target, env });
  expect(result.exitCode, result.stderr).toBe(0);
  return parseJson<T>(result.stdout);
}

describe('terminal hygiene', () => {
  it('status (ink) on a terminal: coloured by default, plain with NO_COLOR, and NO_COLOR wins over FORCE_COLOR', async () => {
    const coloured = await runInTerminal(['status'], { home, env: { ...env, ...colour } });
    expect(coloured.exitCode, coloured.output).toBe(0);
    expect(coloured.output).toContain('dev@mailmon.test');
    expect(coloured.output).toMatch(SGR);
    for (const setting of [{ NO_COLOR: '1' }, { NO_COLOR: '1', FORCE_COLOR: '1' }]) {
      const plain = await runInTerminal(['status'], { home, env: { ...env, ...colour, ...setting } });
      expect(plain.exitCode, plain.output).toBe(0);
      expect(plain.output).toContain('dev@mailmon.test');
      expect(plain.output, JSON.stringify(setting)).not.toMatch(SGR);
    }
  });

  it('tail (ink) on a terminal honours NO_COLOR', async () => {
    const until = /mailbox\.status_changed[\s\S]*Following/;
    const coloured = await runInTerminal(['tail', '--last', '3'], { home, env: { ...env, ...colour }, until });
    expect(coloured.output).toContain('mailbox.status_changed');
    expect(coloured.output).toMatch(SGR);
    const plain = await runInTerminal(['tail', '--last', '3'], { home, env: { ...env, ...colour, NO_COLOR: '1' }, until });
    expect(plain.output).toContain('mailbox.status_changed');
    expect(plain.output).not.toMatch(SGR);
  });

  it('FORCE_COLOR colours piped output; coloured table cells are measured by their visible width', async () => {
    const endpoint = await addEndpoint('http://127.0.0.1:9/colour-table');
    await runCli(['webhooks', 'test', endpoint.id], { home, env });
    for (const args of [['webhooks', 'list'], ['deliveries', 'list']]) {
      const result = await runCli(args, { home, env: { ...env, ...colour, FORCE_COLOR: '1' } });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout, args.join(' ')).toMatch(SGR);
      const [header, ...rows] = stripSgr(result.stdout).trimEnd().split('\n');
      // Each column is exactly as wide as its widest visible cell (or header), two spaces apart:
      // colour codes add nothing (they used to add ~10 columns each and wrap the header at 120).
      const starts = [...header.matchAll(/(?:^| {2})(\S+(?: \S+)?)/g)].map((match) => match.index + (match.index === 0 ? 0 : 2));
      for (let column = 0; column < starts.length - 1; column += 1) {
        const cells = [header, ...rows].map((line) => line.slice(starts[column], starts[column + 1]));
        for (const cell of cells) expect(cell.endsWith('  '), `${args.join(' ')} column ${column}: "${cell}"`).toBe(true);
        expect(Math.max(...cells.map((cell) => cell.trimEnd().length)), `${args.join(' ')} column ${column}`).toBe(starts[column + 1] - starts[column] - 2);
      }
      const status = args[0] === 'webhooks' ? 'HEALTH' : 'STATUS';
      expect(header, args.join(' ')).toMatch(new RegExp(`${status}  \\S`));
    }
  });

  it('says "1 event", not "1 events"', () => {
    expect(firstSync).toMatch(/ 1 event in /);
  });

  it('webhooks add says how to get the secret again without contradicting itself', async () => {
    const added = await runCli(['webhooks', 'add', 'http://127.0.0.1:9/wording', '--skip-verification'], { home, env });
    expect(added.exitCode, added.stderr).toBe(0);
    expect(added.stdout).not.toContain('shown once');
    expect(added.stdout).toMatch(/"mailmon webhooks secret whe_\w+" prints it again/);
  });

  it('webhooks verify says an old signature\'s age in days and hours', async () => {
    const secret = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
    const payload = '{"id":"evt_1"}';
    const nowSeconds = Math.floor(Date.now() / 1000);
    const signed = await runCli(['webhooks', 'sign', '--secret', secret, '--timestamp', String(nowSeconds - (3 * 86_400 + 5 * 3600 + 10)), '--json'], { home, env, input: payload });
    expect(signed.exitCode, signed.stderr).toBe(0);
    const header = parseJson<{ header?: string; headers?: Record<string, string> }>(signed.stdout);
    const signature = header.header ?? header.headers?.['x-mailmon-signature'] ?? '';
    const verified = await runCli(['webhooks', 'verify', '--secret', secret, '--header', signature, '--tolerance', '0'], { home, env, input: payload });
    expect(verified.exitCode, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/signed 3d 5h ago\./);
  });

  it('a redirecting endpoint is told to "use the final URL." with one period', async () => {
    const redirecting = await startServer((_request, response) => response.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' }).end());
    try {
      const added = await runCli(['webhooks', 'add', `${redirecting.url}/hook`], { home, env });
      expect(added.exitCode).toBe(10);
      expect(added.stderr).toContain('use the final URL.');
      expect(added.stderr).not.toContain('..');
    } finally {
      await redirecting.close();
    }
  });
});

describe('scripting consistency', () => {
  it('JSON output of every listing matches its schema: ISO timestamps and an id on every object', async () => {
    expectShape('login', loginJson);
    const endpoint = await addEndpoint(`${receiver.url}/json-shapes`);
    expectShape('webhooks test', await json(['webhooks', 'test', endpoint.id]));
    expectShape('mailboxes', await json(['mailboxes']));
    expectShape('status', await json(['status']));
    expectShape('daemon status', await json(['daemon', 'status']));
    expectShape('events list', await json(['events', 'list']));
    expectShape('messages list', await json(['messages', 'list', '--limit', '3']));
    expectShape('threads list', await json(['threads', 'list', '--limit', '3']));
    expectShape('webhooks list', await json(['webhooks', 'list']));
    const deliveries = await json<unknown[]>(['deliveries', 'list']);
    expect(deliveries.length).toBeGreaterThan(0);
    expectShape('deliveries list', deliveries);
  });

  it('events export accepts --json: NDJSON events on stdout, {count, file} with --output', async () => {
    const out = await runCli(['events', 'export', '--json'], { home, env });
    expect(out.exitCode, out.stderr).toBe(0);
    const events = parseJsonLines(out.stdout);
    expect(events.length).toBeGreaterThan(0);
    expectShape('events list', events);
    const file = path.join(path.dirname(home), 'events.jsonl');
    const written = await runCli(['events', 'export', '--json', '--output', file], { home, env });
    expect(written.exitCode, written.stderr).toBe(0);
    expectShape('events export', parseJson(written.stdout));
    expect(parseJson<{ count: number }>(written.stdout).count).toBe(fs.readFileSync(file, 'utf8').trim().split('\n').length);
    expect(eventJsonSchema).toBeTruthy();
  });

  it('-h is --help for commands and topics', async () => {
    for (const args of [['status', '-h'], ['webhooks', 'remove', '-h'], ['events', 'export', '-h'], ['consumers', '-h']]) {
      const result = await runCli(args, { home, env });
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      expect(result.stdout).toMatch(/USAGE|COMMANDS/);
    }
  });

  it('events list names each event\'s mailbox when more than one mailbox exists', async () => {
    const listed = await runCli(['events', 'list'], { home, env });
    expect(listed.exitCode, listed.stderr).toBe(0);
    const [header, ...rows] = listed.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^SEQ\s+TIME\s+MAILBOX\s+TYPE/);
    expect(rows.some((row) => row.includes('dev@mailmon.test'))).toBe(true);
    expect(rows.some((row) => row.includes('ops@mailmon.test'))).toBe(true);
  });

  it('webhooks remove asks on a terminal, refuses off one without --yes, and removes with --yes', async () => {
    const endpoint = await addEndpoint('http://127.0.0.1:9/to-remove');
    const ids = async () => (await json<Array<{ id: string }>>(['webhooks', 'list'])).map((row) => row.id);

    const refused = await runCli(['webhooks', 'remove', endpoint.id], { home, env });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('--yes');
    expect(await ids()).toContain(endpoint.id);

    const declined = await runInTerminal(['webhooks', 'remove', endpoint.id], { home, env, answers: [{ when: /\[y\/N\]/, text: 'n\r' }] });
    expect(declined.output).toContain(`Remove endpoint ${endpoint.id}`);
    expect(declined.exitCode, declined.output).toBe(1);
    expect(await ids()).toContain(endpoint.id);

    const accepted = await runInTerminal(['webhooks', 'remove', endpoint.id], { home, env, answers: [{ when: /\[y\/N\]/, text: 'y\r' }] });
    expect(accepted.exitCode, accepted.output).toBe(0);
    expect(accepted.output).toContain(`Removed ${endpoint.id}.`);
    expect(await ids()).not.toContain(endpoint.id);

    const other = await addEndpoint('http://127.0.0.1:9/to-remove-too');
    expectShape('webhooks remove', await json(['webhooks', 'remove', other.id, '--yes']));
  });

  it('logout --purge refuses off a terminal without --yes and keeps the mailbox', async () => {
    const refused = await runCli(['logout', 'ops@mailmon.test', '--purge'], { home, env });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('Pass --yes');
    expect((await json<Array<{ emailAddress: string }>>(['mailboxes'])).map((row) => row.emailAddress)).toContain('ops@mailmon.test');
  });

  it('consumers list shows listen consumers (target, position, lag, last active); remove deletes one', async () => {
    const target = `${receiver.url}/consumer`;
    const listen = await runCli(['listen', '--forward-to', target, '--from-start', '--no-sync', '--timeout', '2'], { home, env, timeoutMs: 30_000 });
    expect(listen.exitCode, listen.stderr).toBe(0);
    const consumers = await json<Array<{ name: string; target: string; lastSequence: number; behind: number; active: boolean }>>(['consumers', 'list']);
    expectShape('consumers list', consumers);
    const consumer = consumers.find((row) => row.target === target)!;
    expect(consumer).toMatchObject({ active: false });
    expect(consumer.lastSequence).toBeGreaterThan(0);

    const table = await runCli(['consumers', 'list'], { home, env });
    expect(table.stdout).toMatch(/^NAME\s+FORWARDS TO\s+AT\s+BEHIND\s+STATE\s+LAST ACTIVE$/m);
    expect(table.stdout).toContain(target);

    const status = await runCli(['status'], { home, env });
    expect(status.stdout).toContain('"mailmon consumers remove NAME"');

    const refused = await runCli(['consumers', 'remove', consumer.name], { home, env });
    expect(refused.exitCode).toBe(2);
    expectShape('consumers remove', await json(['consumers', 'remove', consumer.name, '--yes']));
    expect((await json<Array<{ name: string }>>(['consumers', 'list'])).map((row) => row.name)).not.toContain(consumer.name);
    const gone = await runCli(['consumers', 'remove', consumer.name, '--yes'], { home, env });
    expect(gone.exitCode).toBe(8);
  });
});

describe('with the daemon', () => {
  it('daemon start is idempotent; an abandoned delivery is filterable as "abandoned"; status says "1 failure"', async () => {
    const daemonHome = tempHome('mailmon-u-script-daemon-');
    const daemonEnv = { ...env, MAILMON_DELIVERY_RETRY_SCHEDULE: '0s' };
    try {
      expect((await runCli(['login', '--fixture', server.url, '--login-hint', 'dev@mailmon.test'], { home: daemonHome, env: daemonEnv })).exitCode).toBe(0);
      // Only message.created: the one new message makes exactly one delivery, abandoned at once.
      const endpoint = await addEndpoint('http://127.0.0.1:9/abandon', daemonHome, ['--events', 'message.created']);
      const first = await runCli(['daemon', 'start', '--json'], { home: daemonHome, env: daemonEnv, timeoutMs: 60_000 });
      expect(first.exitCode, first.stderr).toBe(0);
      const started = parseJson<{ pid: number; alreadyRunning: boolean }>(first.stdout);
      expectShape('daemon start', started);
      expect(started.alreadyRunning).toBe(false);

      const again = await runCli(['daemon', 'start'], { home: daemonHome, env: daemonEnv });
      expect(again.exitCode, again.stderr).toBe(0);
      expect(again.stdout).toContain(`already running (pid ${started.pid})`);
      const againJson = await runCli(['daemon', 'start', '--json'], { home: daemonHome, env: daemonEnv });
      expect(againJson.exitCode).toBe(0);
      expect(parseJson(againJson.stdout)).toMatchObject({ alreadyRunning: true, pid: started.pid });

      // One mailbox: no mailbox column.
      const events = await runCli(['events', 'list'], { home: daemonHome, env: daemonEnv });
      expect(events.stdout.split('\n')[0]).not.toContain('MAILBOX');

      await server.control.send({ mailbox: 'dev@mailmon.test', subject: 'to an endpoint that is down' });
      const deadline = Date.now() + 30_000;
      let abandoned: Array<{ status: string; endpointId: string }> = [];
      while (abandoned.length === 0 && Date.now() < deadline) {
        abandoned = await json(['deliveries', 'list', '--status', 'abandoned'], daemonHome);
        if (abandoned.length === 0) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(abandoned.length).toBeGreaterThan(0);
      expectShape('deliveries list', abandoned);
      expect(abandoned.every((row) => row.status === 'abandoned' && row.endpointId === endpoint.id)).toBe(true);
      const table = await runCli(['deliveries', 'list', '--status', 'abandoned'], { home: daemonHome, env: daemonEnv });
      expect(table.stdout).toMatch(/ {2}abandoned {2}/);
      expectShape('daemon status', await json(['daemon', 'status'], daemonHome));

      const screen = await runInTerminal(['status'], { home: daemonHome, env: daemonEnv });
      expect(screen.output).toMatch(/\b1 failure\b/);
      expect(screen.output).not.toMatch(/\b1 failures\b/);
    } finally {
      await runCli(['daemon', 'stop'], { home: daemonHome, env: daemonEnv, timeoutMs: 60_000 });
    }
  }, 120_000);
});
