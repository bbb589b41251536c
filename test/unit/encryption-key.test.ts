import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyFromEnv, parseEncryptionKey } from '../../src/adapters/secrets/encryption-key.js';
import { isMailmonError, type MailmonError } from '../../src/core/errors.js';

function refusal(run: () => unknown): MailmonError {
  try {
    run();
  } catch (error) {
    if (isMailmonError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('MAILMON_ENCRYPTION_KEY validation', () => {
  it('accepts standard base64 of exactly 32 bytes (with or without padding or a newline)', () => {
    const bytes = crypto.randomBytes(32);
    const text = bytes.toString('base64');
    expect(parseEncryptionKey(text, 'X').equals(bytes)).toBe(true);
    expect(parseEncryptionKey(`${text}\n`, 'X').equals(bytes)).toBe(true);
    expect(parseEncryptionKey(text.replace(/=+$/, ''), 'X').equals(bytes)).toBe(true);
    const fromEnv = keyFromEnv({ MAILMON_ENCRYPTION_KEY: text });
    expect(fromEnv?.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(fromEnv?.source).toBe('env');
  });

  it('is absent when the variable is unset or empty', () => {
    expect(keyFromEnv({})).toBeUndefined();
    expect(keyFromEnv({ MAILMON_ENCRYPTION_KEY: '' })).toBeUndefined();
  });

  it.each([
    ['not base64', 'this is not base64 at all!!', /is not standard base64/],
    ['url-safe base64', crypto.randomBytes(32).toString('base64url').replace(/[^-_]/, '-'), /is not standard base64/],
    ['31 bytes', crypto.randomBytes(31).toString('base64'), /decodes to 31 bytes; it must be exactly 32/],
    ['33 bytes', crypto.randomBytes(33).toString('base64'), /decodes to 33 bytes; it must be exactly 32/],
    ['hex of 32 bytes', crypto.randomBytes(32).toString('hex'), /decodes to 48 bytes/],
  ])('refuses %s with a clear message, a way to generate one, and without echoing it', (_name, value, message) => {
    const error = refusal(() => keyFromEnv({ MAILMON_ENCRYPTION_KEY: value }));
    expect(error.code).toBe('encryption_key_invalid');
    expect(error.message).toMatch(/^MAILMON_ENCRYPTION_KEY /);
    expect(error.message).toMatch(message);
    expect(error.hint).toContain('openssl rand -base64 32');
    expect(error.hint).toContain(`require('crypto').randomBytes(32).toString('base64')`);
    expect(`${error.message}${error.hint}`).not.toContain(value);
  });
});
