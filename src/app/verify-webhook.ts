/**
 * `mailmon webhooks verify`: checks a payload against the signature headers a receiver got,
 * under every scheme whose headers are present. Valid → a result; invalid → a MailmonError
 * whose `reason` is the WebhookVerificationError code (missing_header, malformed_header,
 * timestamp_outside_tolerance, no_matching_signature).
 */
import { MailmonError } from '../core/errors.js';
import { isWebhookVerificationError, SIGNATURE_HEADER, verifyMailmonSignature, verifyStandardWebhook, WebhookVerificationError, type WebhookVerificationErrorCode } from '../core/signatures.js';

export interface VerifyWebhookInput {
  payload: Uint8Array;
  secret: string;
  /**
   * What the user pasted: bare `x-mailmon-signature` values (`t=…,v1=…`) or `Name: value`
   * header lines (several per string allowed, e.g. the output of `webhooks sign`).
   */
  headers: string[];
  /** Infinity skips the timestamp check. */
  toleranceSeconds: number;
}

export interface SchemeVerification {
  scheme: 'mailmon' | 'standard';
  timestamp: number;
  /** now − timestamp, in seconds (negative: signed in the future). */
  ageSeconds: number;
  id?: string;
}

export interface VerifyWebhookResult {
  valid: true;
  schemes: SchemeVerification[];
}

const STANDARD_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'];

export function verifyWebhook(deps: { now: () => number }, input: VerifyWebhookInput): VerifyWebhookResult {
  const now = Math.floor(deps.now() / 1000);
  const headers = collectHeaders(input.headers);
  const hasMailmon = headers[SIGNATURE_HEADER] !== undefined;
  const hasStandard = STANDARD_HEADERS.some((name) => headers[name] !== undefined);
  const schemes: SchemeVerification[] = [];
  try {
    if (!hasMailmon && !hasStandard) throw new WebhookVerificationError('missing_header', 'No signature header given.');
    if (hasMailmon) {
      const { timestamp } = verifyMailmonSignature({ payload: input.payload, header: headers[SIGNATURE_HEADER], secret: input.secret, toleranceSeconds: input.toleranceSeconds, now });
      schemes.push({ scheme: 'mailmon', timestamp, ageSeconds: now - timestamp });
    }
    if (hasStandard) {
      const { id, timestamp } = verifyStandardWebhook({ payload: input.payload, headers, secret: input.secret, toleranceSeconds: input.toleranceSeconds, now });
      schemes.push({ scheme: 'standard', id, timestamp, ageSeconds: now - timestamp });
    }
  } catch (error) {
    if (!isWebhookVerificationError(error)) throw error;
    const scheme = schemes.length === 0 && hasMailmon ? 'mailmon' : hasStandard ? 'standard' : undefined;
    throw new MailmonError('signature_invalid', `Invalid signature: ${error.message}`, { hint: HINTS[error.code], details: { reason: error.code, ...(scheme ? { scheme } : {}) } });
  }
  return { valid: true, schemes };
}

const HINTS: Record<WebhookVerificationErrorCode, string> = {
  missing_header: `Pass the ${SIGNATURE_HEADER} value with --header (or the webhook-id, webhook-timestamp and webhook-signature headers as "Name: value").`,
  malformed_header: `An ${SIGNATURE_HEADER} value looks like t=1777888999,v1=<64 hex characters>.`,
  timestamp_outside_tolerance: 'To check an old request, raise --tolerance (0 skips the timestamp check).',
  no_matching_signature: 'Check the secret, and that the payload is the exact raw body (not re-formatted JSON, no added newline).',
};

function collectHeaders(entries: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of entries.flatMap((entry) => entry.split(/\r?\n/)).map((line) => line.trim()).filter((line) => line !== '')) {
    const match = /^([A-Za-z0-9-]+)\s*:\s*(.*)$/.exec(line);
    if (match) headers[match[1].toLowerCase()] = match[2];
    else headers[SIGNATURE_HEADER] = line;
  }
  return headers;
}
