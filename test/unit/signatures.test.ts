import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import {
  constructEvent,
  formatWebhookSecret,
  isWebhookSecret,
  parseMailmonHeader,
  signMailmon,
  signStandard,
  verifySignature,
  verifyStandardSignature,
  WebhookVerificationError,
  type WebhookVerificationErrorCode,
} from '../../src/core/signatures.js';
import * as pkg from '../../src/index.js';
import { sampleEvents } from '../support/sample-events.js';

const secret = formatWebhookSecret(Buffer.alloc(32, 7));
const otherSecret = formatWebhookSecret(Buffer.alloc(32, 9));
const body = JSON.stringify(sampleEvents['message.created']);
const T = 1_777_888_999;
const stripe = new Stripe('sk_test_x');
const wallClock = () => Math.floor(Date.now() / 1000);

function codeOf(action: () => unknown): WebhookVerificationErrorCode | 'no error' {
  try {
    action();
    return 'no error';
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return (error as WebhookVerificationError).code;
  }
}

describe('webhook secrets', () => {
  it('are whsec_ + standard base64 of 32 bytes', () => {
    const generated = formatWebhookSecret(randomBytes(32));
    expect(generated).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(generated.slice(6), 'base64')).toHaveLength(32);
    expect(isWebhookSecret(generated)).toBe(true);
    expect(isWebhookSecret(secret)).toBe(true);
  });

  it('rejects other shapes', () => {
    expect(isWebhookSecret('whsec_' + Buffer.alloc(16).toString('base64'))).toBe(false);
    expect(isWebhookSecret(Buffer.alloc(32).toString('base64'))).toBe(false);
    expect(isWebhookSecret('whsec_' + Buffer.alloc(32, 255).toString('base64url') + '=')).toBe(false);
    // 43 chars whose last one carries non-zero padding bits is not a canonical 32-byte encoding.
    expect(isWebhookSecret('whsec_' + 'A'.repeat(42) + 'B=')).toBe(false);
    expect(() => formatWebhookSecret(Buffer.alloc(31))).toThrow(TypeError);
  });
});

describe('the mailmon scheme', () => {
  it('is exactly t=<unix>,v1=<hex HMAC-SHA256(UTF-8 of the whole secret, "<t>.<body>")>', () => {
    const expected = createHmac('sha256', secret).update(`${T}.${body}`).digest('hex');
    expect(signMailmon({ payload: body, secrets: [secret], timestamp: T })).toBe(`t=${T},v1=${expected}`);
  });

  it("is accepted by Stripe's constructEvent", () => {
    const now = wallClock();
    const header = signMailmon({ payload: body, secrets: [secret], timestamp: now });
    const event = stripe.webhooks.constructEvent(body, header, secret) as unknown;
    expect(event).toEqual(sampleEvents['message.created']);
    // …and a Stripe-made header is accepted by ours: same scheme, byte for byte.
    const stripeHeader = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: now });
    expect(verifySignature({ payload: body, header: stripeHeader, secret, now })).toBe(true);
  });

  it('signs once per secret during rotation; either secret verifies (ours and Stripe)', () => {
    const now = wallClock();
    const header = signMailmon({ payload: body, secrets: [secret, otherSecret], timestamp: now });
    expect(header.split(',')).toHaveLength(3);
    expect(header).not.toContain(' ');
    for (const key of [secret, otherSecret]) {
      expect(verifySignature({ payload: body, header, secret: key, now })).toBe(true);
      expect(stripe.webhooks.constructEvent(body, header, key)).toBeTruthy();
    }
    expect(codeOf(() => verifySignature({ payload: body, header, secret: formatWebhookSecret(Buffer.alloc(32, 1)), now }))).toBe('no_matching_signature');
  });

  it('accepts a Buffer body and a Buffer-signed header alike', () => {
    const header = signMailmon({ payload: Buffer.from(body), secrets: [secret], timestamp: T });
    expect(header).toBe(signMailmon({ payload: body, secrets: [secret], timestamp: T }));
    expect(verifySignature({ payload: Buffer.from(body), header, secret, now: T })).toBe(true);
  });

  it('rejects a tampered body, a wrong secret and a re-serialised body', () => {
    const header = signMailmon({ payload: body, secrets: [secret], timestamp: T });
    expect(codeOf(() => verifySignature({ payload: body.replace('Hello', 'Hellp'), header, secret, now: T }))).toBe('no_matching_signature');
    expect(codeOf(() => verifySignature({ payload: body, header, secret: otherSecret, now: T }))).toBe('no_matching_signature');
    expect(codeOf(() => verifySignature({ payload: JSON.stringify(JSON.parse(body), null, 2), header, secret, now: T }))).toBe('no_matching_signature');
  });

  it('rejects a stale or future timestamp outside the tolerance, after checking the signature', () => {
    const header = signMailmon({ payload: body, secrets: [secret], timestamp: T });
    expect(verifySignature({ payload: body, header, secret, now: T + 300 })).toBe(true);
    expect(codeOf(() => verifySignature({ payload: body, header, secret, now: T + 301 }))).toBe('timestamp_outside_tolerance');
    expect(codeOf(() => verifySignature({ payload: body, header, secret, now: T - 301 }))).toBe('timestamp_outside_tolerance');
    expect(codeOf(() => verifySignature({ payload: body, header, secret, now: T + 60, toleranceSeconds: 30 }))).toBe('timestamp_outside_tolerance');
    expect(verifySignature({ payload: body, header, secret, now: T + 86_400 * 365, toleranceSeconds: Infinity })).toBe(true);
    // Stale AND forged: the forgery is what gets reported.
    expect(codeOf(() => verifySignature({ payload: `${body} `, header, secret, now: T + 10_000 }))).toBe('no_matching_signature');
    // Stripe agrees that a 10-minute-old header is stale.
    expect(() => stripe.webhooks.constructEvent(body, signMailmon({ payload: body, secrets: [secret], timestamp: wallClock() - 600 }), secret)).toThrow(/tolerance/);
  });

  it('reports a missing header', () => {
    for (const header of [undefined, null, '', '   ']) {
      expect(codeOf(() => verifySignature({ payload: body, header, secret, now: T }))).toBe('missing_header');
    }
  });

  it('reports malformed headers', () => {
    const v1 = createHmac('sha256', secret).update(`${T}.${body}`).digest('hex');
    for (const header of [`v1=${v1}`, `t=${T}`, `t=abc,v1=${v1}`, `t=${T},v1=xyz`, `t=${T},v1=${v1.slice(2)}`, `t=${T},t=${T},v1=${v1}`, `t=${T};v1=${v1}`, 'garbage', `t=-5,v1=${v1}`]) {
      expect(codeOf(() => verifySignature({ payload: body, header, secret, now: T }))).toBe('malformed_header');
    }
  });

  it('tolerates spaces and unknown schemes, like other verifiers do', () => {
    const v1 = createHmac('sha256', secret).update(`${T}.${body}`).digest('hex');
    expect(verifySignature({ payload: body, header: `t=${T}, v0=abc, v1=${v1}`, secret, now: T })).toBe(true);
    expect(parseMailmonHeader(`t=${T},v1=${v1},v1=${v1.toUpperCase()}`).signatures).toHaveLength(2);
  });

  it('treats a missing secret or a bad signing timestamp as a programming error', () => {
    const header = signMailmon({ payload: body, secrets: [secret], timestamp: T });
    expect(() => verifySignature({ payload: body, header, secret: undefined as unknown as string, now: T })).toThrow(TypeError);
    expect(() => signMailmon({ payload: body, secrets: [], timestamp: T })).toThrow(TypeError);
    expect(() => signMailmon({ payload: body, secrets: [secret], timestamp: 1.5 })).toThrow(TypeError);
  });

  it('constructEvent verifies then returns the typed event', () => {
    const header = signMailmon({ payload: body, secrets: [secret], timestamp: T });
    const event = constructEvent({ payload: body, header, secret, now: T });
    expect(event).toEqual(sampleEvents['message.created']);
    if (event.type === 'message.created') expect(event.data.from?.address).toBe('ada@example.com');
    expect(codeOf(() => constructEvent({ payload: body, header, secret: otherSecret, now: T }))).toBe('no_matching_signature');
  });
});

describe('the Standard Webhooks scheme', () => {
  const id = sampleEvents['message.created'].id;

  it('is accepted by the standardwebhooks package, and its headers by ours', () => {
    const now = wallClock();
    const headers = signStandard({ id, payload: body, secrets: [secret], timestamp: now });
    expect(headers['webhook-id']).toBe(id);
    expect(headers['webhook-timestamp']).toBe(String(now));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(sampleEvents['message.created']);
    const theirs = new Webhook(secret).sign(id, new Date(now * 1000), body);
    expect(theirs).toBe(headers['webhook-signature']);
    expect(verifyStandardSignature({ payload: body, headers: { 'Webhook-Id': id, 'Webhook-Timestamp': String(now), 'Webhook-Signature': theirs }, secret, now })).toBe(true);
  });

  it('signs once per secret (space-separated) during rotation; either secret verifies', () => {
    const now = wallClock();
    const headers = signStandard({ id, payload: body, secrets: [secret, otherSecret], timestamp: now });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const key of [secret, otherSecret]) {
      expect(new Webhook(key).verify(body, { ...headers })).toBeTruthy();
      expect(verifyStandardSignature({ payload: body, headers: { ...headers }, secret: key, now })).toBe(true);
    }
  });

  it('reads fetch Headers too', () => {
    const headers = signStandard({ id, payload: body, secrets: [secret], timestamp: T });
    expect(verifyStandardSignature({ payload: body, headers: new Headers({ ...headers }), secret, now: T })).toBe(true);
  });

  it('rejects tampering, a wrong secret, another id, stale timestamps, missing and malformed headers', () => {
    const headers = { ...signStandard({ id, payload: body, secrets: [secret], timestamp: T }) };
    const check = (overrides: Record<string, string | undefined>, options: { payload?: string; secret?: string; now?: number } = {}) =>
      codeOf(() => verifyStandardSignature({ payload: options.payload ?? body, headers: { ...headers, ...overrides }, secret: options.secret ?? secret, now: options.now ?? T }));
    expect(check({})).toBe('no error');
    expect(check({}, { payload: body.replace('Hello', 'Hellp') })).toBe('no_matching_signature');
    expect(check({}, { secret: otherSecret })).toBe('no_matching_signature');
    expect(check({ 'webhook-id': 'evt_other' })).toBe('no_matching_signature');
    expect(check({ 'webhook-signature': `v1a,${headers['webhook-signature'].slice(3)}` })).toBe('no_matching_signature');
    expect(check({}, { now: T + 301 })).toBe('timestamp_outside_tolerance');
    expect(check({ 'webhook-signature': undefined })).toBe('missing_header');
    expect(check({ 'webhook-id': undefined, 'webhook-timestamp': undefined })).toBe('missing_header');
    expect(check({ 'webhook-timestamp': 'soon' })).toBe('malformed_header');
    expect(check({ 'webhook-signature': 'nocomma' })).toBe('malformed_header');
  });
});

describe('the package entry (import from "mailmon")', () => {
  it('defaults now to the current time', () => {
    const header = signMailmon({ payload: body, secrets: [secret], timestamp: wallClock() });
    expect(pkg.verifySignature({ payload: body, header, secret })).toBe(true);
    expect(pkg.constructEvent({ payload: body, header, secret }).id).toBe(sampleEvents['message.created'].id);
    const stale = signMailmon({ payload: body, secrets: [secret], timestamp: wallClock() - 3600 });
    expect(() => pkg.verifySignature({ payload: body, header: stale, secret })).toThrow(pkg.WebhookVerificationError);
    const standard = signStandard({ id: 'evt_1', payload: body, secrets: [secret], timestamp: wallClock() });
    expect(pkg.verifyStandardSignature({ payload: body, headers: { ...standard }, secret })).toBe(true);
  });

  it('exports the event types list and schema', () => {
    expect(pkg.EVENT_TYPES).toContain('mailbox.resynced');
    expect(pkg.eventJsonSchema.$schema).toContain('2020-12');
  });
});
