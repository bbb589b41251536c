import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { credentialAssociatedData, keyIdOf, openEnvelope, parseEnvelope, sealEnvelope, serializeEnvelope, type Envelope } from '../../src/adapters/secrets/envelope.js';
import { isMailmonError, type MailmonError } from '../../src/core/errors.js';

const key = crypto.randomBytes(32);
const keyId = keyIdOf(key);
const plaintext = '1//0g-test-refresh-token-value-envelope';
const aad = credentialAssociatedData('mbx_one');

function refusal(run: () => unknown): MailmonError {
  try {
    run();
  } catch (error) {
    if (isMailmonError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

/** Flips one bit of one decoded byte of a base64 field. */
function flip(envelope: Envelope, field: 'nonce' | 'tag' | 'ciphertext', index = 0): Envelope {
  const bytes = Buffer.from(envelope[field], 'base64');
  bytes[index] ^= 0x01;
  return { ...envelope, [field]: bytes.toString('base64') };
}

function expectSafeRefusal(error: MailmonError): void {
  expect(error.code).toBe('credential_unreadable');
  expect(error.hint).toBeTruthy();
  const visible = `${error.message} ${error.hint} ${JSON.stringify(error.details ?? {})}`;
  expect(visible).not.toContain(plaintext);
  expect(visible).not.toContain(key.toString('base64'));
  expect(visible).not.toContain(key.toString('hex'));
}

describe('AES-256-GCM envelopes', () => {
  it('round-trips, with a fresh 12-byte nonce and a 16-byte tag every time', () => {
    const first = sealEnvelope({ key, keyId, plaintext, associatedData: aad });
    const second = sealEnvelope({ key, keyId, plaintext, associatedData: aad });
    expect(first).toMatchObject({ v: 1, keyId });
    expect(Buffer.from(first.nonce, 'base64')).toHaveLength(12);
    expect(Buffer.from(first.tag, 'base64')).toHaveLength(16);
    expect(first.nonce).not.toBe(second.nonce);
    expect(first.ciphertext).not.toBe(second.ciphertext);
    expect(JSON.stringify(first)).not.toContain(plaintext);
    expect(openEnvelope(first, key, aad)).toBe(plaintext);
    expect(openEnvelope(second, key, aad)).toBe(plaintext);
  });

  it('keyId is the first 16 hex chars of sha256(key)', () => {
    expect(keyId).toBe(crypto.createHash('sha256').update(key).digest('hex').slice(0, 16));
  });

  it.each(['nonce', 'tag', 'ciphertext'] as const)('refuses a tampered %s', (field) => {
    const envelope = sealEnvelope({ key, keyId, plaintext, associatedData: aad });
    expectSafeRefusal(refusal(() => openEnvelope(flip(envelope, field), key, aad)));
    const last = Buffer.from(envelope[field], 'base64').length - 1;
    expectSafeRefusal(refusal(() => openEnvelope(flip(envelope, field, last), key, aad)));
  });

  it('refuses a truncated tag (GCM would otherwise accept a short tag)', () => {
    const envelope = sealEnvelope({ key, keyId, plaintext, associatedData: aad });
    const short = Buffer.from(envelope.tag, 'base64').subarray(0, 4).toString('base64');
    expectSafeRefusal(refusal(() => openEnvelope({ ...envelope, tag: short }, key, aad)));
  });

  it('refuses a wrong key, and says which key sealed it', () => {
    const envelope = sealEnvelope({ key, keyId, plaintext, associatedData: aad });
    const other = crypto.randomBytes(32);
    const error = refusal(() => openEnvelope(envelope, other, aad));
    expectSafeRefusal(error);
    expect(error.message).toContain(keyId);
    expect(error.hint).toContain('mailmon credentials rewrap');
  });

  it('refuses a wrong key even when the envelope claims the right key id', () => {
    const other = crypto.randomBytes(32);
    const envelope = { ...sealEnvelope({ key, keyId, plaintext, associatedData: aad }), keyId: keyIdOf(other) };
    expectSafeRefusal(refusal(() => openEnvelope(envelope, other, aad)));
  });

  it('refuses other associated data: an envelope copied onto another mailbox does not open', () => {
    const envelope = sealEnvelope({ key, keyId, plaintext, associatedData: aad });
    expectSafeRefusal(refusal(() => openEnvelope(envelope, key, credentialAssociatedData('mbx_two'))));
    expectSafeRefusal(refusal(() => openEnvelope(envelope, key, 'mailmon:secret:mbx_one')));
  });

  it('refuses an unknown envelope version and malformed base64', () => {
    const envelope = sealEnvelope({ key, keyId, plaintext, associatedData: aad });
    expectSafeRefusal(refusal(() => openEnvelope({ ...envelope, v: 2 as 1 }, key, aad)));
    expectSafeRefusal(refusal(() => openEnvelope({ ...envelope, nonce: `${envelope.nonce.slice(0, -1)}!` }, key, aad)));
  });

  it('refuses to seal or open with a key that is not 32 bytes', () => {
    expect(refusal(() => sealEnvelope({ key: crypto.randomBytes(16), keyId, plaintext, associatedData: aad })).code).toBe('encryption_key_invalid');
  });

  it('serializes to one JSON text and parses back; junk is credential_unreadable', () => {
    const envelope = sealEnvelope({ key, keyId, plaintext, associatedData: aad });
    expect(openEnvelope(parseEnvelope(serializeEnvelope(envelope)), key, aad)).toBe(plaintext);
    expectSafeRefusal(refusal(() => parseEnvelope('not json')));
    expectSafeRefusal(refusal(() => parseEnvelope(JSON.stringify({ ...envelope, tag: 5 }))));
  });
});
