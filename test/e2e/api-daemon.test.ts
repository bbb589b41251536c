/**
 * The HTTP API served by a real daemon (`mailmon daemon run`, API on a free port) through the
 * SDK: sync runs and sync requests, webhook endpoints (verification challenge, update, rotate,
 * test, delete), deliveries and their retry, 403 for a read key on every write route, and
 * /metrics counters that move as deliveries succeed and fail. Every JSON response is judged
 * against the committed OpenAPI document.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailmonClient } from 'mailmon/sdk';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { verifySignature } from '../../src/index.js';
import { parseJson, runCli, startCli, tempHome, waitForLine } from '../support/cli.js';
import { startServer, type TestServer } from '../support/http-server.js';
import { OpenApiJudge } from '../support/openapi-validator.js';
import { untilWith } from '../support/until.js';

const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '100000', MAILMON_POLL_INTERVAL: '1h', MAILMON_DELIVERY_RETRY_SCHEDULE: '0s,200ms' };

let server: FixtureServer;
let receiver: TestServer;
let home: string;
let daemon: ChildProcessWithoutNullStreams;
let baseUrl: string;
let readKey: string;
let writeKey: string;
let mailboxId: string;
/** What the receiver answers deliveries with (verification challenges are always echoed). */
let answer = 204;
const judge = new OpenApiJudge();

async function cli(args: string[]) {
  const result = await runCli(args, { home, env });
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout;
}

const client = (apiKey = readKey) => new MailmonClient({ baseUrl, apiKey, fetch: judge.fetch });

const until = untilWith({ timeoutMs: 30_000, everyMs: 150 });

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const family = parsePrometheusTextFormat(await client().metrics()).find((candidate) => candidate.name === name);
  const samples = (family?.metrics ?? []).filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value));
  return samples.reduce((sum, sample) => sum + Number(sample.value ?? 0), 0);
}

beforeAll(async () => {
  server = await startFixtureServer({ quota: false, seed: 21, mailboxes: [{ generate: { messages: 10, seed: 21 } }] });
  receiver = await startServer((request, response) => {
    const body = JSON.parse(request.body || '{}') as { type?: string; challenge?: string };
    if (body.type === 'webhook.verification') return response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ challenge: request.url.includes('/mute') ? 'wrong' : body.challenge }));
    response.writeHead(answer).end();
  });
  home = tempHome('mailmon-api-daemon-');
  await cli(['login', '--fixture', server.url]);
  await cli(['sync']);
  readKey = parseJson<{ key: string }>(await cli(['api-keys', 'create', '--scope', 'read', '--json'])).key;
  writeKey = parseJson<{ key: string }>(await cli(['api-keys', 'create', '--scope', 'write', '--json'])).key;
  daemon = startCli(['daemon', 'run'], { home, env });
  await waitForLine(daemon, 'stderr', (line) => line.includes('api listening'), 60_000);
  const status = parseJson<{ api: { url: string; port: number } | null }>(await cli(['daemon', 'status', '--json']));
  baseUrl = status.api!.url;
  mailboxId = (await client().listMailboxes()).data[0].id;
});

afterAll(async () => {
  if (daemon && daemon.exitCode === null) {
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.once('exit', resolve));
  }
  await receiver?.close();
  await server?.close();
});

describe('the API served by the daemon', () => {
  it('daemon status shows the API base URL and port', async () => {
    const human = await cli(['daemon', 'status']);
    expect(human).toContain(`api   ${baseUrl} (port ${new URL(baseUrl).port})`);
    expect(await client().health()).toMatchObject({ status: 'ok' });
  });

  it('refuses every write route to a read key (403), before doing anything', async () => {
    const sdk = client(readKey);
    const refused = { status: 403, code: 'forbidden' };
    await expect(sdk.requestSync(mailboxId)).rejects.toMatchObject(refused);
    await expect(sdk.createEndpoint({ url: `${receiver.url}/hooks`, skipVerification: true })).rejects.toMatchObject(refused);
    await expect(sdk.updateEndpoint('whe_x', { enabled: false })).rejects.toMatchObject(refused);
    await expect(sdk.deleteEndpoint('whe_x')).rejects.toMatchObject(refused);
    await expect(sdk.rotateEndpointSecret('whe_x')).rejects.toMatchObject(refused);
    await expect(sdk.testEndpoint('whe_x')).rejects.toMatchObject(refused);
    await expect(sdk.retryDelivery('dlv_x')).rejects.toMatchObject(refused);
    expect((await sdk.listEndpoints()).data).toEqual([]);
  });

  it('lists sync runs, and a sync request wakes the daemon, which records a new run', async () => {
    // The daemon syncs every mailbox once at start: let that run end first.
    const before = await until('the start-up run to end', async () => {
      const page = await client().listSyncRuns(mailboxId);
      return page.data.every((run) => run.status !== 'running') && page;
    });
    expect(before.data.length).toBeGreaterThan(0);
    expect(before.data[0]).toMatchObject({ object: 'sync_run', mailboxId, status: 'succeeded' });
    const runsBefore = await metric('mailmon_sync_runs_total');
    await server.control.send({ subject: 'wake up' });
    const request = await client(writeKey).requestSync(mailboxId);
    expect(request).toMatchObject({ object: 'sync_request', mailboxId, lastRun: { id: before.data[0].id } });
    const run = await until('the requested run', async () => (await client().listSyncRuns(mailboxId, { limit: 1 })).data.find((candidate) => candidate.id !== before.data[0].id && candidate.status === 'succeeded'));
    expect(Date.parse(run.startedAt)).toBeGreaterThanOrEqual(Date.parse(request.requestedAt));
    expect(run.created).toBe(1);
    expect(await metric('mailmon_sync_runs_total', { kind: 'incremental', outcome: 'succeeded' })).toBeGreaterThan(runsBefore);
    expect(await metric('mailmon_gmail_requests_total', { method: 'listHistory', status: '200' })).toBeGreaterThan(0);
    expect(await metric('mailmon_gmail_quota_units_total')).toBeGreaterThan(0);
    await expect(client(writeKey).requestSync('mbx_unknown')).rejects.toMatchObject({ status: 404, code: 'mailbox_not_found' });
  }, 60_000);

  it('registers an endpoint only after it echoes the verification challenge; manages it; tests it', async () => {
    const sdk = client(writeKey);
    await expect(sdk.createEndpoint({ url: `${receiver.url}/mute` })).rejects.toMatchObject({ status: 422, code: 'verification_failed' });
    await expect(sdk.createEndpoint({ url: 'ftp://example.com/x' })).rejects.toMatchObject({ status: 400 });
    const created = await sdk.createEndpoint({ url: `${receiver.url}/hooks`, events: ['message.*'], mailboxes: [mailboxId], headers: { 'x-token': 'hidden' }, description: 'e2e' });
    expect(created).toMatchObject({ object: 'endpoint', verified: true, health: 'active', enabled: true, headerNames: ['x-token'], subscriptions: [{ eventType: 'message.*', mailboxId }] });
    expect(created.secret).toMatch(/^whsec_/);
    expect(JSON.stringify(await client().getEndpoint(created.id))).not.toContain('hidden');
    const { secret: _secret, verified: _verified, ...endpoint } = created;
    expect(await client().getEndpoint(created.id)).toEqual(endpoint);
    expect((await client().listEndpoints()).data).toEqual([endpoint]);
    expect(await sdk.updateEndpoint(created.id, { enabled: false })).toMatchObject({ enabled: false, health: 'disabled' });
    expect(await sdk.updateEndpoint(created.id, { enabled: true })).toMatchObject({ enabled: true, health: 'active' });
    const rotated = await sdk.rotateEndpointSecret(created.id);
    expect(rotated).toMatchObject({ object: 'endpoint_secret', id: created.id, previous: { secret: created.secret } });
    expect((await client().getEndpoint(created.id)).previousSecretExpiresAt).toBe(rotated.previous!.expiresAt);
    const test = await sdk.testEndpoint(created.id);
    expect(test).toMatchObject({ object: 'endpoint_test', ok: true, status: 204 });
    const ping = receiver.requests.at(-1)!;
    expect(verifySignature({ payload: ping.body, header: String(ping.headers['x-mailmon-signature']), secret: rotated.secret })).toBe(true);
    await expect(client().getEndpoint('whe_unknown')).rejects.toMatchObject({ status: 404 });
    expect(await sdk.deleteEndpoint(created.id)).toEqual({ id: created.id, object: 'endpoint', deleted: true });
    await expect(client().getEndpoint(created.id)).rejects.toMatchObject({ status: 404 });
  }, 60_000);

  it('delivers to an endpoint registered through the API; the delivery counters move as deliveries succeed and fail; a given-up delivery is retried', async () => {
    const sdk = client(writeKey);
    const endpoint = await sdk.createEndpoint({ url: `${receiver.url}/deliveries`, events: ['message.created'], skipVerification: true });
    const succeededBefore = await metric('mailmon_webhook_deliveries_total', { status: 'succeeded', event_type: 'message.created' });
    answer = 204;
    await server.control.send({ subject: 'delivered' });
    await sdk.requestSync(mailboxId);
    const delivered = await until('a succeeded delivery', async () => (await client().listDeliveries({ endpointId: endpoint.id, status: 'succeeded' })).data[0]);
    expect(delivered).toMatchObject({ object: 'delivery', endpointId: endpoint.id, kind: 'normal', status: 'succeeded', responseStatus: 204 });
    expect(await client().getDelivery(delivered.id)).toEqual(delivered);
    expect(await metric('mailmon_webhook_deliveries_total', { status: 'succeeded', event_type: 'message.created' })).toBe(succeededBefore + 1);
    const latency = parsePrometheusTextFormat(await client().metrics()).find((family) => family.name === 'mailmon_webhook_delivery_latency_seconds');
    expect(Number((latency?.metrics[0] as { count?: string } | undefined)?.count)).toBeGreaterThan(0);
    expect(await metric('mailmon_webhook_endpoints', { health: 'active' })).toBe(1);

    answer = 500;
    await server.control.send({ subject: 'refused' });
    await sdk.requestSync(mailboxId);
    const abandoned = await until('an abandoned delivery', async () => (await client().listDeliveries({ endpointId: endpoint.id, status: 'abandoned' })).data[0]);
    expect(abandoned).toMatchObject({ status: 'abandoned', responseStatus: 500 });
    expect(await metric('mailmon_webhook_deliveries_total', { status: 'failed', event_type: 'message.created' })).toBe(1); // the first of two attempts
    expect(await metric('mailmon_webhook_deliveries_total', { status: 'abandoned', event_type: 'message.created' })).toBe(1);

    answer = 204;
    const retry = await sdk.retryDelivery(abandoned.id);
    expect(retry).toMatchObject({ object: 'delivery_retry', deliveryId: abandoned.id, scheduled: [expect.stringMatching(/^dlv_/)] });
    await until('the retried delivery', async () => (await client().getDelivery(retry.scheduled[0])).status === 'succeeded');
    expect(await metric('mailmon_webhook_deliveries_total', { status: 'succeeded', event_type: 'message.created' })).toBe(succeededBefore + 2);
    expect((await sdk.retryDelivery(abandoned.id)).scheduled).toEqual([]);
    await expect(client().getDelivery('dlv_unknown')).rejects.toMatchObject({ status: 404 });
  }, 90_000);

  it('lists messages and threads newest first, by cursor, filtered by mailbox, label, thread and text; gets one of each', async () => {
    const sdk = client();
    const all = (await sdk.listMessages({ limit: 1000 })).data;
    expect(all.length).toBeGreaterThan(10);
    const paged = [];
    for await (const message of sdk.messages({ limit: 4 })) paged.push(message);
    expect(paged).toEqual(all);
    const [woken] = (await sdk.listMessages({ q: 'WAKE UP', mailboxId })).data;
    expect(woken).toMatchObject({ object: 'message', subject: 'wake up', mailboxId });
    expect(await sdk.getMessage(woken.id)).toEqual(woken);
    expect(await sdk.getMessage(woken.providerMessageId)).toEqual(woken);
    expect((await sdk.listMessages({ labelId: 'INBOX', limit: 1000 })).data.every((message) => message.labelIds.includes('INBOX'))).toBe(true);
    expect((await sdk.listMessages({ threadId: woken.threadId })).data.map((message) => message.id)).toContain(woken.id);
    const thread = await sdk.getThread(woken.threadId);
    expect(thread).toMatchObject({ object: 'thread', id: woken.threadId, mailboxId });
    expect(thread.messages.map((message) => message.id)).toContain(woken.id);
    const threads = await sdk.listThreads({ limit: 2 });
    expect(threads.data).toHaveLength(2);
    const next = await sdk.listThreads({ limit: 2, after: threads.nextCursor! });
    expect(next.data.map((row) => row.id)).not.toContain(threads.data[1].id);
    await expect(sdk.getMessage('msg_unknown')).rejects.toMatchObject({ status: 404 });
    await expect(sdk.getThread('thr_unknown')).rejects.toMatchObject({ status: 404 });
    await expect(sdk.listMessages({ mailboxId: 'nobody@example.com' })).rejects.toMatchObject({ status: 404 });
  });

  it('replays a window of the log to a registered endpoint as a job to poll; a read key may not start one', async () => {
    const endpoint = await client(writeKey).createEndpoint({ url: `${receiver.url}/replayed`, skipVerification: true });
    const window = { start: new Date(Date.now() - 3_600_000).toISOString(), events: 'message.created', mailboxId };
    await expect(client().createReplay({ ...window, endpointId: endpoint.id })).rejects.toMatchObject({ status: 403 });
    await expect(client(writeKey).createReplay({ ...window, endpointId: endpoint.id, url: receiver.url })).rejects.toMatchObject({ status: 400 });
    const job = await client(writeKey).createReplay({ ...window, endpointId: endpoint.id });
    expect(job).toMatchObject({ object: 'replay', status: 'running', target: `${receiver.url}/replayed` });
    const done = await until('the replay', async () => {
      const polled = await client().getReplay(job.id);
      return polled.status !== 'running' && polled;
    });
    expect(done).toMatchObject({ status: 'succeeded', sent: job.selected, failed: 0, error: null });
    const created = (await client().listEvents({ type: 'message.created', mailboxId, limit: 1000 })).data.map((event) => event.id);
    const replayed = receiver.requests.filter((request) => request.url === '/replayed').map((request) => (JSON.parse(request.body) as { id: string }).id);
    expect(replayed.length).toBe(job.selected);
    expect(created).toEqual(expect.arrayContaining(replayed));
    await expect(client().getReplay('rpl_unknown')).rejects.toMatchObject({ status: 404 });
  }, 60_000);

  it('judged every JSON response against the OpenAPI document, on every new route', () => {
    expect(judge.failures).toEqual([]);
    const judged = new Set(judge.checked.map((check) => `${check.method} ${check.route} ${check.status}`));
    for (const expected of [
      'GET /v1/mailboxes/{id}/sync-runs 200', 'POST /v1/mailboxes/{id}/sync 202', 'POST /v1/mailboxes/{id}/sync 403', 'POST /v1/mailboxes/{id}/sync 404',
      'POST /v1/endpoints 201', 'POST /v1/endpoints 403', 'POST /v1/endpoints 422', 'POST /v1/endpoints 400', 'GET /v1/endpoints 200', 'GET /v1/endpoints/{id} 200', 'GET /v1/endpoints/{id} 404',
      'PATCH /v1/endpoints/{id} 200', 'PATCH /v1/endpoints/{id} 403', 'DELETE /v1/endpoints/{id} 200', 'DELETE /v1/endpoints/{id} 403',
      'POST /v1/endpoints/{id}/rotate-secret 200', 'POST /v1/endpoints/{id}/test 200',
      'GET /v1/messages 200', 'GET /v1/messages 404', 'GET /v1/messages/{id} 200', 'GET /v1/messages/{id} 404', 'GET /v1/threads 200', 'GET /v1/threads/{id} 200', 'GET /v1/threads/{id} 404',
      'POST /v1/replays 202', 'POST /v1/replays 403', 'POST /v1/replays 400', 'GET /v1/replays/{id} 200', 'GET /v1/replays/{id} 404',
      'GET /v1/deliveries 200', 'GET /v1/deliveries/{id} 200', 'GET /v1/deliveries/{id} 404', 'POST /v1/deliveries/{id}/retry 200', 'POST /v1/deliveries/{id}/retry 403',
    ]) {
      expect(judged.has(expected), expected).toBe(true);
    }
  });
});
