/**
 * Validation of what users type for a delivery target: the URL (`--forward-to`, `webhooks add`)
 * and extra request headers (`--headers "K:V,K2:V2"`). Pure; every failure is one MailmonError
 * naming the accepted form.
 */
import { MailmonError } from './errors.js';
import { isWebhookSecret } from './signatures.js';

/** Headers mailmon sets itself on every delivery; custom headers may not replace them. */
export const RESERVED_HEADERS = ['content-type', 'content-length', 'host', 'user-agent', 'x-mailmon-signature', 'x-mailmon-event-id', 'x-mailmon-event-type', 'x-mailmon-delivery-id', 'x-mailmon-attempt', 'webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

const URL_HINT = 'Use a full http:// or https:// URL, like http://localhost:3000/webhooks.';

/** Parses a delivery target URL; only http and https are accepted. */
export function validateTargetUrl(input: string): URL {
  const text = input.trim();
  // `localhost:3000/hook` parses as the scheme "localhost:"; say what was probably meant.
  const looksSchemeless = /^[\w.-]+:\d+(\/|$)/.test(text);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MailmonError('bad_url', `"${input}" is not a valid URL.`, { hint: looksSchemeless ? `Did you mean http://${text}? ${URL_HINT}` : URL_HINT });
  }
  if (looksSchemeless) throw new MailmonError('bad_url', `"${input}" has no http:// or https:// scheme.`, { hint: `Did you mean http://${text}?` });
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MailmonError('bad_url', `"${input}" uses ${url.protocol.slice(0, -1)}; webhooks are delivered over http or https only.`, { hint: URL_HINT });
  }
  if (url.hostname === '') throw new MailmonError('bad_url', `"${input}" has no host.`, { hint: URL_HINT });
  return url;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** True for a valid HTTP header name that mailmon does not set itself. */
export function isCustomHeaderName(name: string): boolean {
  return TOKEN.test(name) && !(RESERVED_HEADERS as readonly string[]).includes(name.toLowerCase());
}

/**
 * Parses `K:V,K2:V2` into a lower-cased header record. Values may contain colons
 * (`Authorization:Bearer a:b`), not commas. Reserved headers are rejected.
 */
export function parseCustomHeaders(input: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const entry of input.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const colon = entry.indexOf(':');
    const name = colon > 0 ? entry.slice(0, colon).trim() : '';
    const value = colon > 0 ? entry.slice(colon + 1).trim() : '';
    if (!TOKEN.test(name)) {
      throw new MailmonError('usage', `Invalid header "${entry}".`, { hint: 'Use "Name:value" pairs separated by commas, like "Authorization:Bearer abc,X-Env:dev".' });
    }
    if (!isCustomHeaderName(name)) {
      throw new MailmonError('usage', `The ${name.toLowerCase()} header is set by mailmon and cannot be overridden.`, { hint: 'Choose another header name.' });
    }
    if (/[\r\n\0]/.test(value)) throw new MailmonError('usage', `The value of header ${name} contains a line break.`);
    headers[name.toLowerCase()] = value;
  }
  return headers;
}

/** A user-supplied signing secret (`--secret`, MAILMON_WEBHOOK_SECRET) must be a mailmon secret. */
export function requireWebhookSecret(value: string | undefined, source = '--secret'): string {
  if (value === undefined || value.trim() === '') {
    throw new MailmonError('usage', 'No signing secret given.', { hint: 'Pass --secret whsec_… or set MAILMON_WEBHOOK_SECRET.' });
  }
  if (!isWebhookSecret(value.trim())) {
    throw new MailmonError('usage', `The signing secret from ${source} is not a mailmon secret.`, {
      hint: 'A signing secret is "whsec_" followed by the base64 of 32 bytes (44 characters), as shown by mailmon listen.',
    });
  }
  return value.trim();
}
