/**
 * `mailmon webhooks sign`: the headers mailmon would send with a payload, for debugging a
 * receiver by hand (`curl -H …`). Signs under both schemes; the Standard Webhooks id is the
 * payload's event id unless one is given.
 */
import { SIGNATURE_HEADER, signMailmon, signStandard } from '../core/signatures.js';

export interface SignWebhookInput {
  /** The exact body bytes. */
  payload: Uint8Array;
  secret: string;
  /** Unix seconds; default now. */
  timestamp?: number;
  /** The webhook-id; default the payload's `id`. */
  id?: string;
}

export interface SignWebhookResult {
  timestamp: number;
  /** The id the Standard Webhooks headers were signed with (null: none known, headers omitted). */
  id: string | null;
  headers: Record<string, string>;
}

export function signWebhook(deps: { now: () => number }, input: SignWebhookInput): SignWebhookResult {
  const timestamp = input.timestamp ?? Math.floor(deps.now() / 1000);
  const event = parseEventHeaders(input.payload);
  const id = input.id ?? event.id ?? null;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (event.id) headers['x-mailmon-event-id'] = event.id;
  if (event.type) headers['x-mailmon-event-type'] = event.type;
  headers[SIGNATURE_HEADER] = signMailmon({ payload: input.payload, secrets: [input.secret], timestamp });
  if (id !== null) Object.assign(headers, signStandard({ id, payload: input.payload, secrets: [input.secret], timestamp }));
  return { timestamp, id, headers };
}

/** The id and type of an event payload, when the payload is one. */
function parseEventHeaders(payload: Uint8Array): { id?: string; type?: string } {
  try {
    const parsed = JSON.parse(Buffer.from(payload).toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { id, type } = parsed as { id?: unknown; type?: unknown };
    return { id: typeof id === 'string' && id !== '' ? id : undefined, type: typeof type === 'string' && type !== '' ? type : undefined };
  } catch {
    return {};
  }
}
