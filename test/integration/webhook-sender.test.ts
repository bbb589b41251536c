import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebhookSender, classifyNetworkError, parseRetryAfter, type WebhookRequest } from '../../src/adapters/http/webhook-sender.js';
import { generateWebhookSecret } from '../../src/adapters/http/webhook-secret.js';
import { verifySignature } from '../../src/index.js';
import { closedPort, startServer, type TestServer } from '../support/http-server.js';
import { sampleEvents } from '../support/sample-events.js';

const secret = generateWebhookSecret();
const event = sampleEvents['message.created'];
const body = JSON.stringify(event);

function deliveryTo(url: string, overrides: Partial<WebhookRequest> = {}): WebhookRequest {
  return {
    url, body, eventId: event.id, eventType: event.type, attempt: 1, deliveryId: 'dlv_01jt0000000000000000000001',
    secrets: [secret], scheme: 'both', timeoutMs: 5000, userAgent: 'mailmon/0.1.0', ...overrides,
  };
}

describe('WebhookSender', () => {
  let sender: WebhookSender;
  const servers: TestServer[] = [];
  const serve = async (...args: Parameters<typeof startServer>) => {
    const server = await startServer(...args);
    servers.push(server);
    return server;
  };

  beforeAll(() => {
    sender = new WebhookSender({ connections: 4 });
  });
  afterAll(async () => {
    await sender.close();
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('POSTs the exact body with every header, signed under both schemes', async () => {
    const server = await serve((_request, response) => response.writeHead(200, { 'content-type': 'text/plain', 'x-app': 'yes' }).end('thanks'));
    const result = await sender.send(deliveryTo(`${server.url}/hooks?x=1`, { attempt: 3, headers: { 'X-Env': 'dev', 'X-Mailmon-Event-Id': 'spoofed' } }));
    expect(result).toMatchObject({ ok: true, status: 200, responseBody: 'thanks', errorClass: null, errorMessage: null, retryAfterMs: null });
    expect(result.responseHeaders['x-app']).toBe('yes');
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    const [received] = server.requests;
    expect(received.method).toBe('POST');
    expect(received.url).toBe('/hooks?x=1');
    expect(received.body).toBe(body);
    expect(received.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'mailmon/0.1.0',
      'x-mailmon-event-id': event.id,
      'x-mailmon-event-type': 'message.created',
      'x-mailmon-delivery-id': 'dlv_01jt0000000000000000000001',
      'x-mailmon-attempt': '3',
      'x-env': 'dev',
      'webhook-id': event.id,
    });
    expect(received.headers['x-mailmon-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature({ payload: received.body, header: received.headers['x-mailmon-signature'], secret })).toBe(true);
    expect(new Webhook(secret).verify(received.body, received.headers as Record<string, string>)).toEqual(event);
  });

  it('sends only the headers of the chosen scheme, one signature per secret during rotation', async () => {
    const server = await serve((_request, response) => response.writeHead(204).end());
    const previous = generateWebhookSecret();
    expect((await sender.send(deliveryTo(server.url, { scheme: 'mailmon', secrets: [secret, previous] }))).ok).toBe(true);
    expect((await sender.send(deliveryTo(server.url, { scheme: 'standard', secrets: [secret, previous] }))).ok).toBe(true);
    const [mailmonOnly, standardOnly] = server.requests;
    expect(mailmonOnly.headers['webhook-signature']).toBeUndefined();
    expect(verifySignature({ payload: mailmonOnly.body, header: mailmonOnly.headers['x-mailmon-signature'], secret: previous })).toBe(true);
    expect(standardOnly.headers['x-mailmon-signature']).toBeUndefined();
    expect(new Webhook(previous).verify(standardOnly.body, standardOnly.headers as Record<string, string>)).toBeTruthy();
  });

  it('signs each attempt with a fresh timestamp from the clock it is given', async () => {
    const server = await serve((_request, response) => response.writeHead(200).end());
    const clock = Date.now();
    await sender.send(deliveryTo(server.url, { now: () => clock }));
    await sender.send(deliveryTo(server.url, { now: () => clock + 61_000, attempt: 2 }));
    const timestamps = server.requests.map((request) => Number(request.headers['webhook-timestamp']));
    expect(timestamps[1] - timestamps[0]).toBe(61);
  });

  it('reports a 500 as http_status with the response body', async () => {
    const server = await serve((_request, response) => response.writeHead(500).end('boom'));
    expect(await sender.send(deliveryTo(server.url))).toMatchObject({ ok: false, status: 500, errorClass: 'http_status', errorMessage: 'HTTP 500', responseBody: 'boom' });
  });

  it('reports 410 as gone', async () => {
    const server = await serve((_request, response) => response.writeHead(410).end());
    expect(await sender.send(deliveryTo(server.url))).toMatchObject({ ok: false, status: 410, errorClass: 'gone' });
  });

  it('does not follow a redirect', async () => {
    const target = await serve((_request, response) => response.writeHead(200).end());
    const server = await serve((_request, response) => response.writeHead(301, { location: `${target.url}/moved` }).end());
    const result = await sender.send(deliveryTo(server.url));
    expect(result).toMatchObject({ ok: false, status: 301, errorClass: 'redirect' });
    expect(result.errorMessage).toContain(`${target.url}/moved`);
    expect(target.requests).toHaveLength(0);
  });

  it('times out a receiver that never answers', async () => {
    const server = await serve(() => {});
    const result = await sender.send(deliveryTo(server.url, { timeoutMs: 200 }));
    expect(result).toMatchObject({ ok: false, status: null, errorClass: 'timeout' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(150);
    expect(result.latencyMs).toBeLessThan(2000);
    expect(server.requests).toHaveLength(1);
  });

  it('keeps the status of an answer whose body stalls, and stops reading it after the deadline', async () => {
    // Headers and part of the body, then nothing: the status decides, the body is best effort.
    const server = await serve((_request, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('partial');
    });
    const started = Date.now();
    const result = await sender.send(deliveryTo(server.url, { timeoutMs: 200 }));
    expect(result).toMatchObject({ ok: true, status: 200, responseBody: 'partial' });
    // The body gets at least a second (or the timeout, when longer), never forever.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports a refused connection', async () => {
    const port = await closedPort();
    const result = await sender.send(deliveryTo(`http://127.0.0.1:${port}/hook`));
    expect(result).toMatchObject({ ok: false, status: null, errorClass: 'connection_refused' });
    expect(result.errorMessage).toMatch(/refused/i);
  });

  it('reports a connection the receiver drops', async () => {
    const server = await serve((request, response) => response.socket?.destroy());
    expect(await sender.send(deliveryTo(server.url))).toMatchObject({ ok: false, status: null, errorClass: 'connection_reset' });
  });

  it('reports a TLS failure (https to a plain-HTTP port)', async () => {
    const server = await serve((_request, response) => response.writeHead(200).end());
    const result = await sender.send(deliveryTo(server.url.replace('http:', 'https:')));
    expect(result).toMatchObject({ ok: false, status: null, errorClass: 'tls' });
  });

  it('classifies DNS and nested socket errors by code', () => {
    expect(classifyNetworkError(Object.assign(new Error('getaddrinfo ENOTFOUND nope.invalid'), { code: 'ENOTFOUND' })).errorClass).toBe('dns');
    const happyEyeballs = new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:1'), { code: 'ECONNREFUSED' })], '');
    expect(classifyNetworkError(Object.assign(new Error('outer'), { cause: happyEyeballs })).errorClass).toBe('connection_refused');
    expect(classifyNetworkError(new Error('something odd')).errorClass).toBe('network');
  });

  it('stops when the caller aborts', async () => {
    const server = await serve(() => {});
    const controller = new AbortController();
    const pending = sender.send(deliveryTo(server.url, { signal: controller.signal }));
    while (server.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, errorClass: 'aborted' });
  });

  it('returns invalid_url for a URL it cannot deliver to, without throwing', async () => {
    expect(await sender.send(deliveryTo('ftp://127.0.0.1/hook'))).toMatchObject({ ok: false, errorClass: 'invalid_url' });
    expect(await sender.send(deliveryTo('not a url'))).toMatchObject({ ok: false, errorClass: 'invalid_url' });
  });

  it('throws for programmer errors', async () => {
    await expect(sender.send(deliveryTo('http://127.0.0.1:1/', { secrets: [] }))).rejects.toThrow(TypeError);
    await expect(sender.send(deliveryTo('http://127.0.0.1:1/', { attempt: 0 }))).rejects.toThrow(TypeError);
  });

  it('parses Retry-After in seconds and as an HTTP date', async () => {
    const clock = Date.parse('2026-05-04T10:00:00Z');
    const inSeconds = await serve((_request, response) => response.writeHead(429, { 'retry-after': '120' }).end());
    expect(await sender.send(deliveryTo(inSeconds.url))).toMatchObject({ errorClass: 'http_status', status: 429, retryAfterMs: 120_000 });
    const asDate = await serve((_request, response) => response.writeHead(503, { 'retry-after': new Date(clock + 90_000).toUTCString() }).end());
    expect(await sender.send(deliveryTo(asDate.url, { now: () => clock }))).toMatchObject({ status: 503, retryAfterMs: 90_000 });
    expect(parseRetryAfter('Mon, 04 May 2026 09:00:00 GMT', clock)).toBe(0);
    expect(parseRetryAfter('soon', clock)).toBeNull();
    expect(parseRetryAfter('-1', clock)).toBeNull();
  });

  it('truncates a 1 MB response body to 20 KB and can still reuse the socket', async () => {
    const big = 'x'.repeat(1024 * 1024);
    const server = await serve((_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end(big));
    const result = await sender.send(deliveryTo(server.url));
    expect(result.ok).toBe(true);
    expect(result.responseBody).toHaveLength(20 * 1024);
    // The rest of the body is drained, not left on the socket: later sends reuse the sockets.
    for (let attempt = 2; attempt <= 6; attempt += 1) expect((await sender.send(deliveryTo(server.url, { attempt }))).responseBody).toHaveLength(20 * 1024);
    expect(server.connections()).toBeLessThanOrEqual(2);
  });

  it('reuses keep-alive sockets across many sequential deliveries', async () => {
    const server = await serve((_request, response) => response.writeHead(200).end('ok'));
    for (let attempt = 1; attempt <= 200; attempt += 1) {
      const result = await sender.send(deliveryTo(server.url, { attempt }));
      expect(result.ok).toBe(true);
    }
    expect(server.requests).toHaveLength(200);
    // undici may open a second socket while the first is being released; never more.
    expect(server.connections()).toBeLessThanOrEqual(2);
  });
});
