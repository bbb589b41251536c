/**
 * Webhook signatures, both schemes mailmon sends, signing and verifying.
 *
 *   mailmon:           x-mailmon-signature: t=<unix s>,v1=<hex HMAC-SHA256(key = UTF-8 of the whole
 *                      secret string, "<t>.<raw body>")>[,v1=<hex> …one per secret during rotation]
 *                      (byte-compatible with Stripe's scheme: stripe's constructEvent accepts it)
 *   Standard Webhooks: webhook-id: <event id>, webhook-timestamp: <unix s>,
 *                      webhook-signature: v1,<base64 HMAC-SHA256(key = base64-decode of the secret
 *                      after "whsec_", "<id>.<t>.<raw body>")>[ v1,<base64> …]
 *
 * Guarantees: pure (the time is always a parameter, no randomness); signatures are compared in
 * constant time; any one of several signatures may match (secret rotation); every failure is a
 * WebhookVerificationError with a stable `code`. Misuse (no secret, a bad timestamp to sign
 * with) is a TypeError, because it is a bug in the caller, not a bad request.
 */
import { createHmac, createSecretKey, timingSafeEqual, type Hmac, type KeyObject } from 'node:crypto';
import type { MailmonEvent } from './events.js';

export const SIGNATURE_HEADER = 'x-mailmon-signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;
const SECRET_PREFIX = 'whsec_';
const SHA256_BYTES = 32;

export type WebhookVerificationErrorCode = 'missing_header' | 'malformed_header' | 'timestamp_outside_tolerance' | 'no_matching_signature';

/** Why a webhook request was rejected. Check `code` (stable), not the message. */
export class WebhookVerificationError extends Error {
  readonly code: WebhookVerificationErrorCode;
  readonly isWebhookVerificationError = true;

  constructor(code: WebhookVerificationErrorCode, message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.code = code;
  }
}

export function isWebhookVerificationError(error: unknown): error is WebhookVerificationError {
  return typeof error === 'object' && error !== null && (error as { isWebhookVerificationError?: unknown }).isWebhookVerificationError === true;
}

export type Payload = string | Uint8Array;

/** `whsec_` followed by the standard base64 of exactly 32 bytes. */
export function isWebhookSecret(value: string): boolean {
  return /^whsec_[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/.test(value);
}

/** Formats 32 random bytes (supplied by the caller) as a signing secret. */
export function formatWebhookSecret(randomBytes: Uint8Array): string {
  if (randomBytes.length !== SHA256_BYTES) throw new TypeError(`A webhook secret needs ${SHA256_BYTES} random bytes, got ${randomBytes.length}.`);
  return `${SECRET_PREFIX}${Buffer.from(randomBytes).toString('base64')}`;
}

// ---------------------------------------------------------------------------------------------
// Signing

export interface SignMailmonInput {
  payload: Payload;
  /** One or more secrets: the current one first, older ones during rotation. */
  secrets: readonly string[];
  /** Unix seconds. */
  timestamp: number;
}

/** The value of the `x-mailmon-signature` header: `t=<t>,v1=<hex>[,v1=<hex>…]`, no spaces. */
export function signMailmon({ payload, secrets, timestamp }: SignMailmonInput): string {
  assertTimestamp(timestamp);
  assertSecrets(secrets);
  let header = `t=${timestamp}`;
  for (const secret of secrets) header += `,v1=${mailmonMac(secret, timestamp, payload).digest('hex')}`;
  return header;
}

export interface SignStandardInput extends SignMailmonInput {
  /** The message id: mailmon uses the event id, so retries and replays share it. */
  id: string;
}

export interface StandardWebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The three Standard Webhooks headers, one `v1,<base64>` entry per secret. */
export function signStandard({ id, payload, secrets, timestamp }: SignStandardInput): StandardWebhookHeaders {
  assertTimestamp(timestamp);
  assertSecrets(secrets);
  if (typeof id !== 'string' || id === '') throw new TypeError('signStandard needs the message id (the event id).');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((secret) => `v1,${standardMac(secret, id, timestamp, payload).digest('base64')}`).join(' '),
  };
}

// ---------------------------------------------------------------------------------------------
// Verifying

export interface VerifySignatureInput {
  /** The raw request body, exactly as received (not re-serialised JSON). */
  payload: Payload;
  /** The `x-mailmon-signature` header value. */
  header: string | string[] | null | undefined;
  secret: string;
  /** Maximum distance between the signed timestamp and `now`; Infinity skips the check. */
  toleranceSeconds?: number;
  /** Unix seconds. */
  now: number;
}

export interface VerifiedSignature {
  /** The signed unix timestamp. */
  timestamp: number;
}

/**
 * Verifies an `x-mailmon-signature` header and returns what it carried; throws a
 * WebhookVerificationError otherwise. The signature is checked before the timestamp, so
 * `timestamp_outside_tolerance` is only ever reported for an authentic (replayed or delayed)
 * request.
 */
export function verifyMailmonSignature({ payload, header, secret, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS, now }: VerifySignatureInput): VerifiedSignature {
  assertSecrets([secret]);
  const value = singleHeader(header);
  if (value === undefined) throw new WebhookVerificationError('missing_header', `No ${SIGNATURE_HEADER} header on the request.`);
  const { timestamp, signatures } = parseMailmonHeader(value);
  const expected = mailmonMac(secret, timestamp, payload).digest();
  if (!signatures.some((candidate) => constantTimeEqual(candidate, expected))) {
    throw new WebhookVerificationError('no_matching_signature', 'No signature in the header matches the payload and secret (wrong secret, or the body was changed or re-serialised).');
  }
  checkTolerance(timestamp, now, toleranceSeconds);
  return { timestamp };
}

export interface VerifyStandardInput {
  payload: Payload;
  /**
   * The request headers: a plain object (Node's `req.headers`, any name case) or a fetch
   * `Headers`. Needs `webhook-id`, `webhook-timestamp` and `webhook-signature`.
   */
  headers: HeaderSource;
  secret: string;
  toleranceSeconds?: number;
  /** Unix seconds. */
  now: number;
}

export type HeaderSource = Record<string, string | string[] | undefined> | { get(name: string): string | null };

/** Verifies Standard Webhooks headers; same guarantees and error codes as the mailmon scheme. */
export function verifyStandardWebhook({ payload, headers, secret, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS, now }: VerifyStandardInput): VerifiedSignature & { id: string } {
  standardKey(secret); // a malformed secret is the caller's bug: reported before anything about the request
  const id = readHeader(headers, 'webhook-id');
  const timestampText = readHeader(headers, 'webhook-timestamp');
  const signatureText = readHeader(headers, 'webhook-signature');
  const missing = [['webhook-id', id], ['webhook-timestamp', timestampText], ['webhook-signature', signatureText]].filter(([, value]) => value === undefined).map(([name]) => name);
  if (missing.length > 0) throw new WebhookVerificationError('missing_header', `Missing Standard Webhooks header${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.`);
  const timestamp = parseTimestamp(timestampText!, 'webhook-timestamp');
  const entries = signatureText!.trim().split(/\s+/);
  const signatures: Buffer[] = [];
  for (const entry of entries) {
    const comma = entry.indexOf(',');
    if (comma <= 0) throw new WebhookVerificationError('malformed_header', `Malformed webhook-signature entry "${entry}": expected "v1,<base64>".`);
    // Other versions (e.g. v1a, asymmetric) are allowed next to v1 and ignored here.
    if (entry.slice(0, comma) === 'v1') signatures.push(Buffer.from(entry.slice(comma + 1), 'base64'));
  }
  const expected = standardMac(secret, id!, timestamp, payload).digest();
  if (!signatures.some((candidate) => constantTimeEqual(candidate, expected))) {
    throw new WebhookVerificationError('no_matching_signature', 'No v1 signature in webhook-signature matches the payload and secret (wrong secret, or the body was changed or re-serialised).');
  }
  checkTolerance(timestamp, now, toleranceSeconds);
  return { id: id!, timestamp };
}

/** Verifies an `x-mailmon-signature` header: true, or a WebhookVerificationError. */
export function verifySignature(input: VerifySignatureInput): true {
  verifyMailmonSignature(input);
  return true;
}

/** Verifies Standard Webhooks headers: true, or a WebhookVerificationError. */
export function verifyStandardSignature(input: VerifyStandardInput): true {
  verifyStandardWebhook(input);
  return true;
}

/** Verifies the mailmon signature, then parses the body into a typed event. */
export function constructEvent(input: VerifySignatureInput): MailmonEvent {
  verifyMailmonSignature(input);
  const text = typeof input.payload === 'string' ? input.payload : Buffer.from(input.payload).toString('utf8');
  return JSON.parse(text) as MailmonEvent;
}

/** Parses `t=…,v1=…[,v1=…]`. Unknown keys (future schemes) are ignored; spaces around entries are tolerated. */
export function parseMailmonHeader(value: string): { timestamp: number; signatures: Buffer[] } {
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const rawEntry of value.split(',')) {
    const entry = rawEntry.trim();
    const equals = entry.indexOf('=');
    if (equals <= 0) throw malformed(value, `"${entry}" is not key=value`);
    const key = entry.slice(0, equals);
    const item = entry.slice(equals + 1);
    if (key === 't') {
      if (timestamp !== undefined) throw malformed(value, 'more than one t=');
      timestamp = parseTimestamp(item, `${SIGNATURE_HEADER} t=`);
    } else if (key === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(item)) throw malformed(value, 'a v1= value is not 64 hex characters');
      signatures.push(Buffer.from(item, 'hex'));
    }
  }
  if (timestamp === undefined) throw malformed(value, 'no t= timestamp');
  if (signatures.length === 0) throw malformed(value, 'no v1= signature');
  return { timestamp, signatures };
}

// ---------------------------------------------------------------------------------------------
// Internals

/**
 * The HMAC of a mailmon-signed message ("<t>.<body>"), to digest: to text when signing (digest
 * encodes it itself, which measured a third cheaper than a Buffer then toString; a forwarder
 * signs twice per request), to bytes when verifying.
 */
function mailmonMac(secret: string, timestamp: number, payload: Payload): Hmac {
  return mac(keys.get('mailmon', secret, () => Buffer.from(secret, 'utf8')), `${timestamp}.`, payload);
}

/** The same for a Standard Webhooks message ("<id>.<t>.<body>"). */
function standardMac(secret: string, id: string, timestamp: number, payload: Payload): Hmac {
  return mac(keys.get('standard', secret, () => standardKey(secret)), `${id}.${timestamp}.`, payload);
}

/**
 * Each secret's two HMAC keys, decoded, checked and imported once: a forwarder signs thousands of
 * requests a second with the same secret, and importing the key was a third of each signature.
 * Bounded, so a process verifying with many secrets does not keep them all.
 */
class KeyCache {
  // Keyed by the secret string itself: a composed key would be a new string to hash per signature.
  private readonly keys = { mailmon: new Map<string, KeyObject>(), standard: new Map<string, KeyObject>() };

  get(scheme: 'mailmon' | 'standard', secret: string, raw: () => Buffer): KeyObject {
    const keys = this.keys[scheme];
    let key = keys.get(secret);
    if (!key) {
      key = createSecretKey(raw());
      if (keys.size >= 64) keys.clear();
      keys.set(secret, key);
    }
    return key;
  }
}

const keys = new KeyCache();

/**
 * HMAC-SHA256 of `prefix` followed by `payload`, not yet digested. A string payload is hashed in
 * one update with its prefix: each update is a call into C++ that encodes its string, and one
 * update of the joined text (~1 KB) measured cheaper than two.
 */
function mac(key: KeyObject, prefix: string, payload: Payload): Hmac {
  const hmac = createHmac('sha256', key);
  if (typeof payload === 'string') hmac.update(`${prefix}${payload}`);
  else hmac.update(prefix).update(payload);
  return hmac;
}

/** Standard Webhooks keys are the base64-decoded bytes after the `whsec_` prefix. */
function standardKey(secret: string): Buffer {
  assertSecrets([secret]);
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (encoded.length === 0 || encoded.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new TypeError('A Standard Webhooks secret must be "whsec_" followed by standard base64 (mailmon secrets are).');
  }
  return Buffer.from(encoded, 'base64');
}

function constantTimeEqual(candidate: Buffer, expected: Buffer): boolean {
  // timingSafeEqual needs equal lengths; a length mismatch reveals nothing secret.
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}

function checkTolerance(timestamp: number, now: number, toleranceSeconds: number): void {
  if (!(toleranceSeconds >= 0)) throw new TypeError('toleranceSeconds must be a number ≥ 0 (or Infinity to skip the check).');
  if (!Number.isFinite(now)) throw new TypeError('now must be unix seconds.');
  if (Math.abs(now - timestamp) > toleranceSeconds) {
    const age = Math.round(now - timestamp);
    const when = age >= 0 ? `${age}s old` : `${-age}s in the future`;
    throw new WebhookVerificationError('timestamp_outside_tolerance', `The signature timestamp is ${when}, outside the ${toleranceSeconds}s tolerance (a replayed request, or clocks out of sync).`);
  }
}

function parseTimestamp(text: string, what: string): number {
  if (!/^\d{1,15}$/.test(text.trim())) throw new WebhookVerificationError('malformed_header', `${what} "${text}" is not a unix timestamp in seconds.`);
  return Number(text.trim());
}

function malformed(value: string, why: string): WebhookVerificationError {
  const shown = value.length > 200 ? `${value.slice(0, 200)}…` : value;
  return new WebhookVerificationError('malformed_header', `Malformed ${SIGNATURE_HEADER} header (${why}): expected "t=<unix seconds>,v1=<hex>", got "${shown}".`);
}

function singleHeader(header: string | string[] | null | undefined): string | undefined {
  // Node joins repeated headers into an array; a signature header is never legitimately repeated.
  const value = Array.isArray(header) ? header.join(',') : header;
  return value === null || value === undefined || value.trim() === '' ? undefined : value;
}

function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return singleHeader((headers as { get(name: string): string | null }).get(name));
  }
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : singleHeader(record[key]);
}

function assertSecrets(secrets: readonly string[]): void {
  if (!Array.isArray(secrets) || secrets.length === 0 || secrets.some((secret) => typeof secret !== 'string' || secret === '')) {
    throw new TypeError('A webhook signing secret is required (a non-empty string such as whsec_…).');
  }
}

function assertTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new TypeError(`The signature timestamp must be whole unix seconds, got ${timestamp}.`);
}
