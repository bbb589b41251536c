/**
 * Issue 8 through the daemon: a registered endpoint receives a fixture change with no manual
 * sync and no listen, signed with its own secret; the delivery log records it; `status` shows
 * the endpoint's health.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { verifySignature } from '../../src/index.js';
import { parseJson, runCli, tempHome } from '../support/cli.js';
import { startServer } from '../support/http-server.js';
import { untilWith } from '../support/until.js';

const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '100000', MAILMON_POLL_INTERVAL: '300ms' };
let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer({ quota: false, seed: 13, mailboxes: [{ generate: { messages: 20 } }] });
});
afterAll(async () => server?.close());

const until = untilWith({ timeoutMs: 30_000, everyMs: 100 });

describe('the daemon delivers to registered endpoints', () => {
  it('a fixture change reaches a registered endpoint, verified with its secret, and is logged', async () => {
    const home = tempHome('mailmon-daemon-endpoints-');
    const app = await startServer((_request, response) => response.writeHead(204).end());
    try {
      expect((await runCli(['login', '--fixture', server.url], { home, env })).exitCode).toBe(0);
      expect((await runCli(['sync'], { home, env })).exitCode).toBe(0);
      const added = await runCli(['webhooks', 'add', `${app.url}/hooks`, '--events', 'message.*', '--skip-verification', '--json'], { home, env });
      expect(added.exitCode, added.stderr).toBe(0);
      const endpoint = parseJson<{ id: string; secret: string }>(added.stdout);
      const started = await runCli(['daemon', 'start'], { home, env, timeoutMs: 60_000 });
      expect(started.exitCode, started.stderr).toBe(0);

      const sent = await server.control.send({ subject: 'for the registered endpoint' });
      const request = await until('the delivery', () => app.requests.find((candidate) => candidate.body.includes(sent.id)));
      expect(request.headers['x-mailmon-event-type']).toBe('message.created');
      expect(verifySignature({ payload: request.body, header: String(request.headers['x-mailmon-signature']), secret: endpoint.secret })).toBe(true);

      const deliveries = await until('the delivery log', async () => {
        const listed = parseJson<Array<{ status: string; eventId: string }>>((await runCli(['deliveries', 'list', '--endpoint', endpoint.id, '--json'], { home, env })).stdout);
        return listed.some((row) => row.status === 'succeeded') && listed;
      });
      expect(deliveries.every((row) => row.status === 'succeeded')).toBe(true);
      const status = parseJson<{ endpoints: Array<{ id: string; health: string }> }>((await runCli(['status', '--json'], { home, env })).stdout);
      expect(status.endpoints).toEqual([expect.objectContaining({ id: endpoint.id, health: 'active' })]);
    } finally {
      await runCli(['daemon', 'stop'], { home, env, timeoutMs: 60_000 });
      await app.close();
    }
  }, 120_000);
});
