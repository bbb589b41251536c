import { describe, expect, it } from 'vitest';
import { hasCode, type MailmonError } from '../../src/core/errors.js';
import { formatWebhookSecret } from '../../src/core/signatures.js';
import { parseCustomHeaders, requireWebhookSecret, validateTargetUrl } from '../../src/core/webhook-target.js';

function caught(action: () => unknown): MailmonError {
  try {
    action();
  } catch (error) {
    return error as MailmonError;
  }
  throw new Error('expected an error');
}

describe('validateTargetUrl', () => {
  it('accepts http and https URLs', () => {
    expect(validateTargetUrl('http://localhost:3000/hook').port).toBe('3000');
    expect(validateTargetUrl(' https://example.com/webhooks?x=1 ').pathname).toBe('/webhooks');
  });

  it('rejects other schemes, garbage and scheme-less host:port with a bad_url error', () => {
    const ftp = caught(() => validateTargetUrl('ftp://example.com/x'));
    expect(hasCode(ftp, 'bad_url')).toBe(true);
    expect(ftp.message).toContain('uses ftp');
    expect(caught(() => validateTargetUrl('not a url')).hint).toContain('http://');
    const schemeless = caught(() => validateTargetUrl('localhost:3000/hook'));
    expect(hasCode(schemeless, 'bad_url')).toBe(true);
    expect(schemeless.hint).toBe('Did you mean http://localhost:3000/hook?');
    expect(caught(() => validateTargetUrl('127.0.0.1:3000')).hint).toContain('Did you mean http://127.0.0.1:3000?');
  });
});

describe('parseCustomHeaders', () => {
  it('parses Name:value pairs (values may hold colons) into lower-case names', () => {
    expect(parseCustomHeaders('Authorization:Bearer a:b, X-Env: dev')).toEqual({ authorization: 'Bearer a:b', 'x-env': 'dev' });
    expect(parseCustomHeaders('')).toEqual({});
  });

  it("rejects malformed pairs and mailmon's own headers", () => {
    expect(caught(() => parseCustomHeaders('novalue')).message).toBe('Invalid header "novalue".');
    expect(caught(() => parseCustomHeaders('bad name:x')).message).toBe('Invalid header "bad name:x".');
    expect(caught(() => parseCustomHeaders('X-Mailmon-Signature:forged')).message).toContain('set by mailmon');
    expect(caught(() => parseCustomHeaders('Content-Type:text/plain')).message).toContain('set by mailmon');
  });
});

describe('requireWebhookSecret', () => {
  it('accepts a mailmon secret and rejects anything else without echoing it', () => {
    const secret = formatWebhookSecret(Buffer.alloc(32, 3));
    expect(requireWebhookSecret(` ${secret}\n`)).toBe(secret);
    expect(caught(() => requireWebhookSecret(undefined)).message).toBe('No signing secret given.');
    const bad = caught(() => requireWebhookSecret('hunter2', 'MAILMON_WEBHOOK_SECRET'));
    expect(bad.message).toBe('The signing secret from MAILMON_WEBHOOK_SECRET is not a mailmon secret.');
    expect(`${bad.message} ${bad.hint}`).not.toContain('hunter2');
  });
});
