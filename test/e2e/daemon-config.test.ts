/**
 * Issue 13: `mailmon config set` while the daemon runs. The daemon reloads its config at once
 * (asked by `config set`) or when the file changes (watched), uses live settings from their
 * next use, logs the reload, and says plainly when a setting needs a restart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { parseJson, runCli, tempHome } from '../support/cli.js';
import { startServer } from '../support/http-server.js';
import { untilWith } from '../support/until.js';

const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '100000', MAILMON_POLL_INTERVAL: '300ms' };
let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer({ quota: false, seed: 31, mailboxes: [{ generate: { messages: 5 } }] });
});
afterAll(async () => server?.close());

const until = untilWith({ timeoutMs: 20_000, everyMs: 100 });

function logEntries(home: string): Array<Record<string, unknown>> {
  const file = path.join(home, 'logs', 'daemon.log');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the daemon picks up config changes without a restart', () => {
  it('config set delivery.retry-schedule applies to the next retry; a hand edit is reloaded; sync.emit-backfill says to restart', async () => {
    const home = tempHome('mailmon-daemon-config-');
    // The app fails each event's first attempt, then accepts it.
    const seen = new Set<string>();
    const app = await startServer((request, response) => {
      const id = String(request.headers['x-mailmon-event-id']);
      const first = !seen.has(id);
      seen.add(id);
      response.writeHead(first ? 500 : 204).end();
    });
    try {
      expect((await runCli(['login', '--fixture', server.url], { home, env })).exitCode).toBe(0);
      expect((await runCli(['sync'], { home, env })).exitCode).toBe(0);
      const added = await runCli(['webhooks', 'add', `${app.url}/hooks`, '--events', 'message.*', '--skip-verification', '--json'], { home, env });
      expect(added.exitCode, added.stderr).toBe(0);
      const endpoint = parseJson<{ id: string }>(added.stdout);
      const started = await runCli(['daemon', 'start'], { home, env, timeoutMs: 60_000 });
      expect(started.exitCode, started.stderr).toBe(0);

      // The default schedule retries after 1 minute; the new one after 1 second.
      const set = await runCli(['config', 'set', 'delivery.retry-schedule', '0s,1s,1s'], { home, env });
      expect(set.exitCode, set.stderr).toBe(0);
      expect(set.stderr).toMatch(/The running daemon \(pid \d+\) uses the new delivery\.retry-schedule from now on/);
      const sent = await server.control.send({ subject: 'retried on the new schedule' });
      const delivered = await until('the retry on the new schedule', () => app.requests.filter((request) => request.body.includes(sent.id)).length >= 2 && app.requests.filter((request) => request.body.includes(sent.id)));
      expect(delivered.map((request) => request.headers['x-mailmon-attempt'])).toEqual(['1', '2']);
      // JSON timestamps are ISO strings (issue 14).
      const rows = parseJson<Array<{ attempt: number; status: string; scheduledAt: string; finishedAt: string | null; eventId: string }>>((await runCli(['deliveries', 'list', '--endpoint', endpoint.id, '--json'], { home, env })).stdout);
      const attempts = rows.filter((row) => delivered[0].body.includes(row.eventId)).sort((a, b) => a.attempt - b.attempt);
      expect(Date.parse(attempts[1].scheduledAt) - Date.parse(attempts[0].finishedAt!)).toBeLessThan(2_000);
      expect(logEntries(home)).toContainEqual(expect.objectContaining({ msg: 'config reloaded', changed: { 'delivery.retry-schedule': '0s,1s,1s' } }));

      // A hand edit of the file: the watch reloads it.
      const configFile = path.join(home, 'config.json');
      const edited = { ...JSON.parse(fs.readFileSync(configFile, 'utf8')), 'delivery.timeout': '7s' };
      fs.writeFileSync(configFile, `${JSON.stringify(edited, null, 2)}\n`);
      await until('the reload of the edited file', () => logEntries(home).some((entry) => entry.msg === 'config reloaded' && entry.trigger === 'the config file changed' && (entry.changed as Record<string, string>)['delivery.timeout'] === '7s'));

      // A setting read only at start: said plainly, with how.
      const human = await runCli(['config', 'set', 'sync.emit-backfill', 'true'], { home, env });
      expect(human.exitCode, human.stderr).toBe(0);
      expect(human.stderr).toContain('restart the daemon to apply it: mailmon daemon stop && mailmon daemon start');
      expect(logEntries(home)).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'sync.emit-backfill take effect only after a restart: mailmon daemon stop && mailmon daemon start' }));
    } finally {
      await runCli(['daemon', 'stop'], { home, env, timeoutMs: 60_000 });
      await app.close();
    }
  }, 120_000);
});
