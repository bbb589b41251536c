/**
 * AES-256-GCM envelopes for credentials and secrets: sealing and opening given a key (no I/O).
 *
 * Guarantees: every envelope has its own random 12-byte nonce and a full 16-byte tag; the
 * associated data (e.g. `mailmon:credential:<mailboxId>`) binds an envelope to its owner, so
 * an envelope copied onto another row does not open. A wrong key, a changed byte anywhere
 * (nonce, tag, ciphertext, key id) or other associated data is refused with
 * MailmonError('credential_unreadable'). No message ever contains plaintext or key material.
 */
import crypto from 'node:crypto';
import { MailmonError } from './errors.js';

export const ENVELOPE_VERSION = 1;

/** Where the current key and a rewrap's old key are set (base64 of 32 bytes). */
export const ENCRYPTION_KEY_ENV = 'MAILMON_ENCRYPTION_KEY';
export const OLD_ENCRYPTION_KEY_ENV = 'MAILMON_OLD_ENCRYPTION_KEY';

export const GENERATE_KEY_HINT =
  `Generate one with: openssl rand -base64 32   (or: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))")`;
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface Envelope {
  v: 1;
  /** First 16 hex chars of sha256(key): says which key sealed it, reveals nothing about it. */
  keyId: string;
  /** base64, 12 random bytes */
  nonce: string;
  /** base64, 16 bytes */
  tag: string;
  /** base64 */
  ciphertext: string;
}

export interface SealInput {
  key: Buffer;
  keyId: string;
  plaintext: string;
  associatedData: string;
}

/** An envelope as one JSON text, for a single column (e.g. a webhook endpoint's secret). */
export function serializeEnvelope(envelope: Envelope): string {
  return JSON.stringify({ v: envelope.v, keyId: envelope.keyId, nonce: envelope.nonce, tag: envelope.tag, ciphertext: envelope.ciphertext });
}

/** Parses serializeEnvelope's output; anything else is credential_unreadable. */
export function parseEnvelope(text: string): Envelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const candidate = parsed as Partial<Record<keyof Envelope, unknown>> | undefined;
  if (!candidate || typeof candidate !== 'object' || typeof candidate.v !== 'number'
    || typeof candidate.keyId !== 'string' || typeof candidate.nonce !== 'string' || typeof candidate.tag !== 'string' || typeof candidate.ciphertext !== 'string') {
    throw unreadable('A stored envelope is not valid envelope JSON.', tamperedHint);
  }
  return { v: candidate.v as 1, keyId: candidate.keyId, nonce: candidate.nonce, tag: candidate.tag, ciphertext: candidate.ciphertext };
}

/** The public identity of a key: first 16 hex chars of its sha256. */
export function keyIdOf(key: Buffer): string {
  return crypto.createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** Associated data for a mailbox's refresh token. */
export function credentialAssociatedData(mailboxId: string): string {
  return `mailmon:credential:${mailboxId}`;
}

/** Associated data for a home-wide named secret. */
export function secretAssociatedData(name: string): string {
  return `mailmon:secret:${name}`;
}

export function sealEnvelope(input: SealInput): Envelope {
  assertKey(input.key);
  const nonce = crypto.randomBytes(NONCE_BYTES);
  const cipher = crypto.createCipheriv(ALGORITHM, input.key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(input.associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(input.plaintext, 'utf8'), cipher.final()]);
  return {
    v: ENVELOPE_VERSION,
    keyId: input.keyId,
    nonce: nonce.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

/** Decrypts an envelope; refuses anything that does not authenticate. */
export function openEnvelope(envelope: Envelope, key: Buffer, associatedData: string): string {
  assertKey(key);
  const owner = describeOwner(associatedData);
  if (envelope.v !== ENVELOPE_VERSION) {
    throw unreadable(`The ${owner} uses envelope version ${String(envelope.v)}, which this mailmon cannot read.`, 'Upgrade mailmon, or log in again to store it afresh.');
  }
  const currentKeyId = keyIdOf(key);
  if (envelope.keyId !== currentKeyId) {
    throw unreadable(
      `The ${owner} was encrypted with key ${envelope.keyId}, not the current key ${currentKeyId}.`,
      'Set MAILMON_ENCRYPTION_KEY to the key it was stored with, or re-encrypt it under the current key with "mailmon credentials rewrap" (it takes the old key from the key file, MAILMON_OLD_ENCRYPTION_KEY or --old-key-file).',
      { keyId: envelope.keyId, currentKeyId },
    );
  }
  const nonce = strictBase64(envelope.nonce);
  const tag = strictBase64(envelope.tag);
  const ciphertext = strictBase64(envelope.ciphertext);
  if (!nonce || !tag || !ciphertext || nonce.length !== NONCE_BYTES || tag.length !== TAG_BYTES) {
    throw unreadable(`The ${owner} is damaged (its nonce, tag or ciphertext is malformed).`, tamperedHint);
  }
  try {
    const decipher = crypto.createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    // GCM cannot tell a wrong key from a changed byte; both mean "this is not what we sealed".
    throw unreadable(`The ${owner} does not decrypt: it was changed, copied from another owner, or sealed with another key.`, tamperedHint, { keyId: envelope.keyId });
  }
}

const tamperedHint = 'Log in again ("mailmon login") to store a fresh credential; "mailmon credentials audit" lists every unreadable one.';

function assertKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    throw new MailmonError('encryption_key_invalid', `An encryption key must be exactly ${KEY_BYTES} bytes.`, {
      hint: 'Generate one with: openssl rand -base64 32',
    });
  }
}

/** Decodes canonical standard base64 only; Buffer.from would silently skip stray characters. */
export function strictBase64(text: unknown): Buffer | undefined {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

function describeOwner(associatedData: string): string {
  const credential = /^mailmon:credential:(.+)$/.exec(associatedData);
  if (credential) return `credential of mailbox ${credential[1]}`;
  const secret = /^mailmon:secret:(.+)$/.exec(associatedData);
  if (secret) return `secret "${secret[1]}"`;
  return 'encrypted value';
}

function unreadable(message: string, hint: string, details?: Record<string, unknown>): MailmonError {
  return new MailmonError('credential_unreadable', message, { hint, details });
}

/** Whose envelope a stored row is: a mailbox's refresh token or a home-wide named secret. */
export type EnvelopeOwnerType = 'credential' | 'secret';

/** An envelope as stored in a row's columns; all null when the value lives in the OS keychain. */
export interface StoredEnvelopeFields {
  envelopeVersion: number | null;
  keyId: string | null;
  nonce: string | null;
  tag: string | null;
  ciphertext: string | null;
}

export function associatedDataFor(type: EnvelopeOwnerType, owner: string): string {
  return type === 'credential' ? credentialAssociatedData(owner) : secretAssociatedData(owner);
}

export function envelopeOfRow(row: StoredEnvelopeFields): Envelope {
  return { v: row.envelopeVersion as 1, keyId: row.keyId ?? '', nonce: row.nonce ?? '', tag: row.tag ?? '', ciphertext: row.ciphertext ?? '' };
}

export function fieldsOfEnvelope(envelope: Envelope): StoredEnvelopeFields {
  return { envelopeVersion: envelope.v, keyId: envelope.keyId, nonce: envelope.nonce, tag: envelope.tag, ciphertext: envelope.ciphertext };
}
