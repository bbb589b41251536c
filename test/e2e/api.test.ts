/**
 * The HTTP API through the SDK (`mailmon/sdk`) against `mailmon api` running as a child process
 * on a temp home with the fixture Gmail server and a synced mailbox. Every JSON response is
 * judged against the committed OpenAPI document by ajv; /metrics is read by a Prometheus
 * text-format parser.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailmonApiError, MailmonClient, type MailmonEvent } from 'mailmon/sdk';
import { eventJsonSchema } from '../../src/core/event-schema.js';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { parseJson, runCli, startCli, tempHome, waitForLine } from '../support/cli.js';
import { OpenApiJudge, openApiDocument } from '../support/openapi-validator.js';

const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '100000' };

let server: FixtureServer;
let home: string;
let api: ChildProcessWithoutNullStreams;
let baseUrl: string;
let readKey: string;
const judge = new OpenApiJudge();
const validEvent = addFormats.default(new Ajv2020({ strict: false })).compile(eventJsonSchema);

async function cli(args: string[]) {
  const result = await runCli(args, { home, env });
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout;
}

async function createKey(scope: 'read' | 'write'): Promise<{ id: string; key: string }> {
  return parseJson(await cli(['api-keys', 'create', '--name', `e2e-${scope}`, '--scope', scope, '--json']));
}

async function logEvents(): Promise<MailmonEvent[]> {
  return parseJson<MailmonEvent[]>(await cli(['events', 'list', '--limit', '100000', '--json']));
}

const client = (apiKey = readKey, fetchImpl: (request: Request) => Promise<Response> = judge.fetch) => new MailmonClient({ baseUrl, apiKey, fetch: fetchImpl });

beforeAll(async () => {
  server = await startFixtureServer({ quota: false, seed: 9, mailboxes: [{ generate: { messages: 30, seed: 9 } }] });
  home = tempHome('mailmon-api-');
  await cli(['login', '--fixture', server.url]);
  await cli(['sync']);
  // The first sync records no per-message events; these new messages do.
  for (let i = 0; i < 12; i += 1) await server.control.send({ subject: `before the API ${i}` });
  await cli(['sync']);
  readKey = (await createKey('read')).key;
  api = startCli(['api', '--port', '0', '--json'], { home, env });
  baseUrl = parseJson<{ url: string }>(await waitForLine(api, 'stdout', (line) => line.includes('"ready"'))).url;
});

afterAll(async () => {
  if (api && api.exitCode === null) {
    api.kill('SIGTERM');
    await new Promise((resolve) => api.once('exit', resolve));
  }
  await server?.close();
});

describe('mailmon api', () => {
  it('answers /healthz without a key and serves the committed OpenAPI document', async () => {
    expect(await client('mm_nonsense').health()).toMatchObject({ status: 'ok' });
    expect(await (await fetch(`${baseUrl}/v1/openapi.json`)).json()).toEqual(openApiDocument);
  });

  it('refuses requests without a key, with a malformed or unknown key, and with a revoked key (401, one error shape)', async () => {
    const missing = await judge.fetch(new Request(`${baseUrl}/v1/mailboxes`));
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: 'unauthorized', message: expect.any(String), hint: expect.any(String) } });
    await expect(client('mm_nonsense').listMailboxes()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    await expect(client(`mm_${'A'.repeat(43)}`).listEvents()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    const doomed = await createKey('write');
    expect((await client(doomed.key).listMailboxes()).data).toHaveLength(1);
    await cli(['api-keys', 'revoke', doomed.id]);
    await expect(client(doomed.key).listMailboxes()).rejects.toBeInstanceOf(MailmonApiError);
    await expect(client(doomed.key).metrics()).rejects.toMatchObject({ status: 401 });
  });

  it('lists mailboxes and gets one by id and by address; an unknown one is 404', async () => {
    const sdk = client();
    const { data, nextCursor } = await sdk.listMailboxes();
    expect(nextCursor).toBeNull();
    expect(data).toHaveLength(1);
    const [mailbox] = data;
    expect(mailbox).toMatchObject({ object: 'mailbox', status: 'active', syncState: 'synced', messageCount: 42 });
    expect(await sdk.getMailbox(mailbox.id)).toEqual(mailbox);
    expect(await sdk.getMailbox(mailbox.emailAddress)).toEqual(mailbox);
    const all = [];
    for await (const item of sdk.mailboxes({ limit: 1 })) all.push(item);
    expect(all).toEqual([mailbox]);
    await expect(sdk.getMailbox('mbx_unknown')).rejects.toMatchObject({ status: 404, code: 'mailbox_not_found' });
  });

  it('pages through the event log by cursor: every event once, in order, as the CLI sees it', async () => {
    const sdk = client();
    const expected = await logEvents();
    expect(expected.length).toBeGreaterThan(20);
    const paged: MailmonEvent[] = [];
    for await (const event of sdk.events({ limit: 7 })) paged.push(event);
    expect(paged).toEqual(expected);
    const firstPage = await sdk.listEvents({ limit: 7 });
    expect(firstPage.nextCursor).toBe(String(expected[6].sequence));
    const created = await sdk.listEvents({ type: 'message.created', mailboxId: expected[0].mailboxId, limit: 1000 });
    expect(created.data.map((event) => event.id)).toEqual(expected.filter((event) => event.type === 'message.created').map((event) => event.id));
    expect(await sdk.getEvent(expected[3].id)).toEqual(expected[3]);
    expect(await sdk.getEvent(String(expected[3].sequence))).toEqual(expected[3]);
    await expect(sdk.getEvent('evt_missing')).rejects.toMatchObject({ status: 404, code: 'not_found' });
    await expect(sdk.listEvents({ type: 'message.nope' })).rejects.toMatchObject({ status: 400, code: 'bad_request' });
    await expect(sdk.listEvents({ limit: 0 })).rejects.toMatchObject({ status: 400, code: 'bad_request' });
    await expect(sdk.listEvents({ mailboxId: 'mbx_unknown' })).rejects.toMatchObject({ status: 404 });
    for (const event of paged) expect(validEvent(event), JSON.stringify(validEvent.errors)).toBe(true);
  });

  it('streams: catches up from the log, then live; after the connection drops it resumes with Last-Event-ID, no event missed or repeated', async () => {
    const before = await logEvents();
    const connections: Array<string | null> = [];
    let cut = true;
    // Drops the first connection in the middle of the catch-up, as a flaky network would.
    const flaky = async (request: Request): Promise<Response> => {
      const response = await fetch(request);
      if (!new URL(request.url).pathname.endsWith('/stream')) return response;
      connections.push(request.headers.get('last-event-id'));
      if (!cut || !response.body) return response;
      cut = false;
      return new Response(dropAfter(response.body, 3_000), { status: response.status, headers: response.headers });
    };
    const controller = new AbortController();
    const seen: MailmonEvent[] = [];
    const target = before.length + 3;
    const following = (async () => {
      for await (const event of client(readKey, flaky).stream({ after: 0, signal: controller.signal, reconnectDelayMs: 100 })) {
        seen.push(event);
        if (seen.length === before.length) await makeLiveChanges();
        if (seen.length >= target) controller.abort();
      }
    })();
    await following;
    const after = await logEvents();
    expect(after.length).toBeGreaterThanOrEqual(target);
    expect(seen.map((event) => event.sequence)).toEqual(after.slice(0, seen.length).map((event) => event.sequence));
    expect(seen).toEqual(after.slice(0, seen.length));
    expect(connections.length).toBeGreaterThanOrEqual(2);
    expect(connections[0]).toBe('0');
    expect(Number(connections[1])).toBeGreaterThan(0);
    expect(Number(connections[1])).toBeLessThan(before.length);
    for (const event of seen) expect(validEvent(event)).toBe(true);
  }, 60_000);

  it('a stream without a cursor starts at the head: only new events', async () => {
    const controller = new AbortController();
    const head = (await logEvents()).at(-1)!.sequence;
    const first = (async () => {
      for await (const event of client().stream({ signal: controller.signal, type: 'message.created' })) {
        controller.abort();
        return event;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await server.control.send({ subject: 'only new' });
    await cli(['sync']);
    const event = await first;
    expect(event?.type).toBe('message.created');
    expect(event!.sequence).toBeGreaterThan(head);
  }, 30_000);

  it('serves Prometheus metrics that a text-format parser reads, counting the events appended while it runs', async () => {
    // The counter follows the log on its own wake-ups (a change between its last read and its
    // wait is seen at the next recheck, within a second): wait for it rather than race it.
    const createdCount = (families: ReturnType<typeof parsePrometheusTextFormat>) => Number(families.find((family) => family.name === 'mailmon_events_appended_total')?.metrics.find((metric) => metric.labels?.type === 'message.created')?.value ?? 0);
    let families = parsePrometheusTextFormat(await client().metrics());
    for (let tries = 0; createdCount(families) < 4 && tries < 30; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      families = parsePrometheusTextFormat(await client().metrics());
    }
    const byName = new Map(families.map((family) => [family.name, family]));
    for (const name of ['mailmon_webhook_deliveries_total', 'mailmon_webhook_delivery_latency_seconds', 'mailmon_webhook_endpoints', 'mailmon_sync_runs_total', 'mailmon_sync_lag_seconds', 'mailmon_gmail_requests_total', 'mailmon_gmail_quota_units_total', 'mailmon_events_appended_total', 'mailmon_listen_consumers_lag_events', 'process_cpu_user_seconds_total', 'nodejs_heap_size_used_bytes']) {
      expect(byName.has(name), name).toBe(true);
    }
    expect(byName.get('mailmon_webhook_delivery_latency_seconds')?.type).toBe('HISTOGRAM');
    const mailboxId = (await client().listMailboxes()).data[0].id;
    expect(byName.get('mailmon_sync_lag_seconds')?.metrics.map((metric) => metric.labels?.mailbox)).toEqual([mailboxId]);
    // The stream tests appended message.created events (4 new messages) after the API started.
    const created = byName.get('mailmon_events_appended_total')!.metrics.find((metric) => metric.labels?.type === 'message.created');
    expect(Number(created?.value)).toBeGreaterThanOrEqual(4);
  });

  it('judged every JSON response against the OpenAPI document, on every route', () => {
    expect(judge.failures).toEqual([]);
    const judged = new Set(judge.checked.map((check) => `${check.method} ${check.route} ${check.status}`));
    for (const expected of ['GET /healthz 200', 'GET /v1/mailboxes 200', 'GET /v1/mailboxes 401', 'GET /v1/mailboxes/{id} 200', 'GET /v1/mailboxes/{id} 404', 'GET /v1/events 200', 'GET /v1/events 400', 'GET /v1/events/{id} 200', 'GET /v1/events/{id} 404', 'GET /metrics 401']) {
      expect(judged.has(expected), expected).toBe(true);
    }
  });

  it('a sync request with no daemon running is a 503 daemon_not_running (nothing would sync)', async () => {
    const writer = client((await createKey('write')).key);
    const mailboxId = (await writer.listMailboxes()).data[0].id;
    await expect(writer.requestSync(mailboxId)).rejects.toMatchObject({ status: 503, code: 'daemon_not_running', hint: expect.stringContaining('daemon start') });
    expect(judge.checked).toContainEqual({ method: 'POST', route: '/v1/mailboxes/{id}/sync', status: 503 });
  });

  it('refuses to listen on a non-loopback address while no API key exists', async () => {
    const fresh = tempHome('mailmon-api-nokey-');
    const result = await runCli(['api', '--host', '0.0.0.0', '--port', '0', '--json'], { home: fresh, env });
    expect(result.exitCode).toBe(3);
    expect(parseJson<{ error: { code: string } }>(result.stdout).error.code).toBe('api_keys_missing');
  });

  /** Three new messages (message.created + thread.updated each) through a sync. */
  async function makeLiveChanges(): Promise<void> {
    for (let i = 0; i < 3; i += 1) await server.control.send({ subject: `live ${i}` });
    await cli(['sync']);
  }
});

/**
 * A body that passes `bytes` bytes, then fails like a dropped connection: the read after the
 * last byte errors (an error at once would discard the bytes still queued). The real body is
 * cancelled without waiting: cancelling a fetch body has been seen to hang (one CI rehearsal
 * timed out in this test), and a dropped connection does not wait for anything.
 */
function dropAfter(body: ReadableStream<Uint8Array>, bytes: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let passed = 0;
  return new ReadableStream({
    async pull(controller) {
      if (passed >= bytes) {
        reader.cancel().catch(() => undefined);
        return controller.error(new Error('connection dropped'));
      }
      const { value, done } = await reader.read();
      if (done) return controller.close();
      const room = bytes - passed;
      passed += value.length;
      controller.enqueue(value.length < room ? value : value.subarray(0, room));
    },
    cancel: () => reader.cancel(),
  });
}
