/**
 * The `mailmon` package entry: what a consumer's app imports to receive mailmon webhooks —
 * signature verification (both schemes), typed event parsing, the event TypeScript types and
 * their JSON Schema. It loads only pure core modules (and node:crypto): never oclif, SQLite,
 * undici or ink, so importing it costs next to nothing.
 *
 *   import { constructEvent } from 'mailmon';
 *   const event = constructEvent({ payload: rawBody, header: req.headers['x-mailmon-signature'], secret });
 */
import * as signatures from './core/signatures.js';
import type { MailmonEvent } from './core/events.js';

type WithOptionalNow<T extends { now: number }> = Omit<T, 'now'> & {
  /** Unix seconds; defaults to the current time. */
  now?: number;
};

export type VerifySignatureOptions = WithOptionalNow<signatures.VerifySignatureInput>;
export type VerifyStandardSignatureOptions = WithOptionalNow<signatures.VerifyStandardInput>;

const currentUnixSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Verifies the `x-mailmon-signature` header of a request against its raw body. Returns true,
 * or throws a WebhookVerificationError whose `code` says why: `missing_header`,
 * `malformed_header`, `timestamp_outside_tolerance` (default 300 s) or `no_matching_signature`.
 */
export function verifySignature(options: VerifySignatureOptions): true {
  return signatures.verifySignature({ ...options, now: options.now ?? currentUnixSeconds() });
}

/** Verifies the signature (as verifySignature does), then returns the typed event. */
export function constructEvent(options: VerifySignatureOptions): MailmonEvent {
  return signatures.constructEvent({ ...options, now: options.now ?? currentUnixSeconds() });
}

/** Verifies the Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`). */
export function verifyStandardSignature(options: VerifyStandardSignatureOptions): true {
  return signatures.verifyStandardSignature({ ...options, now: options.now ?? currentUnixSeconds() });
}

export {
  DEFAULT_TOLERANCE_SECONDS,
  SIGNATURE_HEADER,
  WebhookVerificationError,
  isWebhookSecret,
  isWebhookVerificationError,
  signMailmon,
  signStandard,
  type HeaderSource,
  type Payload,
  type SignMailmonInput,
  type SignStandardInput,
  type StandardWebhookHeaders,
  type WebhookVerificationErrorCode,
} from './core/signatures.js';
export { eventJsonSchema } from './core/event-schema.js';
export {
  EVENT_SCHEMA_VERSION,
  EVENT_TYPES,
  isEventType,
  matchesEventType,
  type EmailAddress,
  type EventDataByType,
  type EventOf,
  type EventType,
  type MailboxResyncedData,
  type MailboxResyncedEvent,
  type MailboxStatusChangedData,
  type MailboxStatusChangedEvent,
  type MailmonEvent,
  type MessageCreatedData,
  type MessageCreatedEvent,
  type MessageDeletedData,
  type MessageDeletedEvent,
  type MessageSummary,
  type MessageUpdatedData,
  type MessageUpdatedEvent,
  type ThreadUpdatedData,
  type ThreadUpdatedEvent,
} from './core/events.js';
