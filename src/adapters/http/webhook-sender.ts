/**
 * The one HTTP client for webhook deliveries (listen, replay, registered endpoints).
 *
 * Guarantees:
 * - the body is sent byte for byte as given (the stored event JSON), signed afresh on every
 *   attempt with a new timestamp, under the scheme asked for (mailmon, Standard Webhooks or both);
 * - success is a 2xx status within `timeoutMs` (connect + send + response headers); redirects are
 *   never followed and count as failures; 410 is reported as `gone`;
 * - `send()` never throws for anything the network or the receiver does: it returns a
 *   DeliveryResult with a stable `errorClass`. It throws only for programmer errors (no secret,
 *   attempt < 1…);
 * - one keep-alive undici Agent per sender, so a stream of deliveries reuses a few sockets
 *   (undici `request()` measured ~3× fetch on loopback).
 *
 * Per request it allocates as little as it can (a forwarder sends thousands a second): a minimal
 * EventEmitter-shaped object as undici's cancel signal (an AbortController costs ~15× more than
 * even an EventEmitter), one listener per caller signal however many requests share it, one
 * timer for a body-less answer, and each target URL validated once.
 */
import type { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import type { DeliveryErrorClass, DeliveryResult, WebhookRequest } from '../../app/ports/webhook-sender.js';
import { parseRetryAfter } from '../../core/backoff.js';
import { signMailmon, signStandard, SIGNATURE_HEADER } from '../../core/signatures.js';
import { RESERVED_HEADERS, validateTargetUrl } from '../../core/webhook-target.js';
import { trace } from '../system/debug-log.js';

const traceDelivery = trace('delivery');

export { validateTargetUrl } from '../../core/webhook-target.js';
export { parseRetryAfter } from '../../core/backoff.js';

export type { DeliveryErrorClass, DeliveryResult, WebhookRequest };

export const RESPONSE_BODY_LIMIT = 20 * 1024;
/** Past the kept prefix, read (and drop) at most this much more so the socket can be reused. */
const RESPONSE_DRAIN_LIMIT = 1024 * 1024;

/**
 * A request's cancel signal: what undici uses of an EventEmitter signal (`aborted`, and one
 * 'abort' listener added with `once`, removed with `removeListener`), without constructing an
 * EventEmitter per request.
 */
class CancelSignal {
  aborted = false;
  private readonly listeners: Array<() => void> = [];

  on(_event: 'abort', listener: () => void): this {
    this.listeners.push(listener);
    return this;
  }

  once(event: 'abort', listener: () => void): this {
    return this.on(event, listener);
  }

  removeListener(_event: 'abort', listener: () => void): this {
    const index = this.listeners.indexOf(listener);
    if (index >= 0) this.listeners.splice(index, 1);
    return this;
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    for (const listener of this.listeners.splice(0)) listener();
  }
}

const SCHEMES: ReadonlySet<string> = new Set(['mailmon', 'standard', 'both']);

export class WebhookSender {
  private readonly agent: Agent;
  private readonly cancels = new CallerCancels();
  private readonly urls = new ValidUrls();

  /**
   * `skipTlsVerify` accepts any certificate (a self-signed https://localhost app): unsafe, so only
   * when the user asked for it (--skip-verify); never a default.
   */
  constructor(options: { connections?: number; skipTlsVerify?: boolean } = {}) {
    this.agent = new Agent({
      ...(options.skipTlsVerify ? { connect: { rejectUnauthorized: false } } : {}),
      connections: options.connections ?? 64,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      // Our own deadline (timeoutMs) governs; these only stop a stuck socket from living forever.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  async send(input: WebhookRequest): Promise<DeliveryResult> {
    const result = await this.attempt(input);
    // Origin and path only: a query string may carry a token.
    if (traceDelivery.enabled) traceDelivery('POST %s %s attempt %d %s %dms%s', safeUrl(input.url), input.eventId, input.attempt, result.status ?? result.errorClass, result.latencyMs, result.ok ? '' : ` (${result.errorClass})`);
    return result;
  }

  private async attempt(input: WebhookRequest): Promise<DeliveryResult> {
    assertRequest(input);
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const failure = (errorClass: DeliveryErrorClass, errorMessage: string, extra: Partial<DeliveryResult> = {}): DeliveryResult => ({
      ok: false, status: null, latencyMs: elapsed(), responseHeaders: {}, responseBody: '', errorClass, errorMessage, retryAfterMs: null, ...extra,
    });

    let url: URL;
    try {
      url = this.urls.get(input.url);
    } catch (error) {
      return failure('invalid_url', (error as Error).message);
    }
    if (input.signal?.aborted) return failure('aborted', 'The delivery was cancelled before it started.');

    const now = input.now ?? Date.now;
    const headers = buildHeaders(input, Math.floor(now() / 1000));
    const deadline = new CancelSignal();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      deadline.abort();
    }, input.timeoutMs);
    const forget = input.signal ? this.cancels.add(input.signal, () => deadline.abort()) : undefined;

    try {
      let response: Awaited<ReturnType<typeof request>>;
      try {
        // undici takes an EventEmitter-shaped signal; CancelSignal has the part of it undici uses.
        response = await request(url, { dispatcher: this.agent, method: 'POST', headers, body: input.body, signal: deadline as unknown as EventEmitter });
      } catch (error) {
        if (timedOut) return failure('timeout', `No response within ${input.timeoutMs} ms.`);
        if (input.signal?.aborted) return failure('aborted', 'The delivery was cancelled.');
        const { errorClass, message } = classifyNetworkError(error);
        return failure(errorClass, message);
      }
      const latencyMs = elapsed();
      // The status decides the outcome; the body is kept for the delivery log, best effort.
      clearTimeout(timer);
      // Most receivers answer with no body (204, or Content-Length: 0): nothing to read or to time.
      const empty = response.statusCode === 204 || response.headers['content-length'] === '0';
      const responseBody = empty ? await response.body.dump().then(() => '') : await readBodyWithin(response.body, deadline, Math.max(input.timeoutMs, 1000));
      const responseHeaders = flattenHeaders(response.headers);
      const status = response.statusCode;
      const retryAfterMs = parseRetryAfter(responseHeaders['retry-after'], now());
      const result = { status, latencyMs, responseHeaders, responseBody, retryAfterMs };
      if (status >= 200 && status < 300) return { ok: true, ...result, errorClass: null, errorMessage: null };
      if (status >= 300 && status < 400) {
        const location = responseHeaders.location;
        return { ok: false, ...result, errorClass: 'redirect', errorMessage: `HTTP ${status}: redirects are not followed${location ? ` (to ${location})` : ''}; use the final URL.` };
      }
      if (status === 410) return { ok: false, ...result, errorClass: 'gone', errorMessage: 'HTTP 410 Gone: the receiver asked mailmon to stop sending.' };
      return { ok: false, ...result, errorClass: 'http_status', errorMessage: `HTTP ${status}` };
    } finally {
      clearTimeout(timer);
      forget?.();
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** The response body (capped), read within `timeoutMs`: past it the request is cancelled, keeping what was read. */
async function readBodyWithin(body: AsyncIterable<Buffer>, deadline: CancelSignal, timeoutMs: number): Promise<string> {
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  try {
    return await readCapped(body);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Cancels the requests of each caller signal (a forwarder passes one for all its requests): one
 * 'abort' listener per signal, not one per request.
 */
class CallerCancels {
  private readonly bySignal = new WeakMap<AbortSignal, Set<() => void>>();

  /** Runs `cancel` when `signal` aborts, until the returned function is called. */
  add(signal: AbortSignal, cancel: () => void): () => void {
    let pending = this.bySignal.get(signal);
    if (!pending) {
      const created = new Set<() => void>();
      signal.addEventListener('abort', () => created.forEach((run) => run()), { once: true });
      this.bySignal.set(signal, (pending = created));
    }
    const current = pending;
    current.add(cancel);
    return () => current.delete(cancel);
  }
}

/** Target URLs validated once each (a sender serves one target, or the daemon's few endpoints). */
class ValidUrls {
  private readonly known = new Map<string, URL>();

  get(text: string): URL {
    let url = this.known.get(text);
    if (!url) {
      url = validateTargetUrl(text);
      if (this.known.size >= 256) this.known.clear();
      this.known.set(text, url);
    }
    return url;
  }
}

function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

function buildHeaders(input: WebhookRequest, timestamp: number): Record<string, string> {
  const headers: Record<string, string> = {};
  const custom = input.headers;
  if (custom) {
    for (const name in custom) {
      const lower = name.toLowerCase();
      if (!(RESERVED_HEADERS as readonly string[]).includes(lower)) headers[lower] = custom[name];
    }
  }
  headers['content-type'] = 'application/json';
  headers['user-agent'] = input.userAgent;
  headers['x-mailmon-event-id'] = input.eventId;
  headers['x-mailmon-event-type'] = input.eventType;
  headers['x-mailmon-delivery-id'] = input.deliveryId;
  headers['x-mailmon-attempt'] = String(input.attempt);
  if (input.scheme === 'mailmon' || input.scheme === 'both') {
    headers[SIGNATURE_HEADER] = signMailmon({ payload: input.body, secrets: input.secrets, timestamp });
  }
  if (input.scheme === 'standard' || input.scheme === 'both') {
    Object.assign(headers, signStandard({ id: input.eventId, payload: input.body, secrets: input.secrets, timestamp }));
  }
  return headers;
}

function assertRequest(input: WebhookRequest): void {
  if (!Number.isInteger(input.attempt) || input.attempt < 1) throw new TypeError(`attempt must be an integer ≥ 1, got ${input.attempt}.`);
  if (!(input.timeoutMs > 0)) throw new TypeError(`timeoutMs must be > 0, got ${input.timeoutMs}.`);
  if (!SCHEMES.has(input.scheme)) throw new TypeError(`Unknown signature scheme "${input.scheme}".`);
  if (!input.eventId || !input.deliveryId || !input.eventType) throw new TypeError('eventId, eventType and deliveryId are required.');
  if (typeof input.body !== 'string') throw new TypeError('body must be the event JSON string.');
  // secrets are checked by the signers.
}

async function readCapped(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let read = 0;
  try {
    for await (const chunk of body) {
      read += chunk.length;
      if (kept < RESPONSE_BODY_LIMIT) {
        const part = chunk.subarray(0, RESPONSE_BODY_LIMIT - kept);
        chunks.push(part);
        kept += part.length;
      }
      // Reading the rest (and dropping it) keeps the socket reusable; past the drain limit,
      // leaving the loop destroys the stream and the socket with it.
      if (read > RESPONSE_BODY_LIMIT + RESPONSE_DRAIN_LIMIT) break;
    }
  } catch {
    // A body that fails half-way (reset, deadline) still leaves what was read.
  }
  return Buffer.concat(chunks).toString('utf8');
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}


const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_OSSL_|EPROTO$|HOSTNAME_MISMATCH)/;

/** Maps undici / Node socket errors (walking `cause` and AggregateError) to a stable class. */
export function classifyNetworkError(error: unknown): { errorClass: DeliveryErrorClass; message: string } {
  const codes: string[] = [];
  const messages: string[] = [];
  const visit = (value: unknown, depth: number) => {
    if (!value || typeof value !== 'object' || depth > 5) return;
    const candidate = value as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof candidate.code === 'string') codes.push(candidate.code);
    if (typeof candidate.message === 'string' && candidate.message !== '') messages.push(candidate.message);
    if (Array.isArray(candidate.errors)) for (const inner of candidate.errors) visit(inner, depth + 1);
    visit(candidate.cause, depth + 1);
  };
  visit(error, 0);
  const has = (...wanted: string[]) => codes.some((code) => wanted.includes(code));
  const message = messages.find((text) => !/^fetch failed$/.test(text)) ?? String(error);
  if (has('ECONNREFUSED')) return { errorClass: 'connection_refused', message: `Connection refused (${message})` };
  if (has('UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT')) return { errorClass: 'timeout', message };
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME')) return { errorClass: 'dns', message: `DNS lookup failed (${message})` };
  if (codes.some((code) => TLS_CODES.test(code))) return { errorClass: 'tls', message: `TLS error (${message})` };
  if (has('ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED')) return { errorClass: 'connection_reset', message: `Connection reset (${message})` };
  if (has('UND_ERR_ABORTED', 'UND_ERR_ABORT', 'ABORT_ERR')) return { errorClass: 'aborted', message };
  if (has('UND_ERR_INVALID_ARG', 'ERR_INVALID_URL')) return { errorClass: 'invalid_url', message };
  return { errorClass: 'network', message };
}
