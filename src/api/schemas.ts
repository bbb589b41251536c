/**
 * The API's resource shapes, as TypeBox (plain JSON Schema) values: fastify validates requests
 * with them, the serializer checks every response against them, and @fastify/swagger turns them
 * into the OpenAPI document. Timestamps are ISO-8601 strings, ids as in events.
 */
import { Type, type TSchema } from 'typebox';
import { EVENT_TYPES } from '../core/events.js';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const dateTime = Type.String({ format: 'date-time' });

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'Stable, machine-readable' }),
    message: Type.String(),
    hint: nullable(Type.String({ description: 'What to do next' })),
  }, { additionalProperties: false }),
}, { additionalProperties: false, description: 'Every error of the API' });

/** The error answers every authenticated route can give. */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
} as const;

export const Mailbox = Type.Object({
  id: Type.String({ pattern: '^mbx_' }),
  object: Type.Literal('mailbox'),
  emailAddress: Type.String(),
  name: nullable(Type.String()),
  status: Type.Union([Type.Literal('pending'), Type.Literal('active'), Type.Literal('reauth_required'), Type.Literal('paused')]),
  statusReason: nullable(Type.String()),
  syncState: Type.Union([Type.Literal('never synced'), Type.Literal('full sync in progress'), Type.Literal('synced')]),
  historyId: nullable(Type.String()),
  fullSync: nullable(Type.Object({ processed: Type.Integer({ minimum: 0 }), total: Type.Integer({ minimum: 0 }) }, { additionalProperties: false })),
  messageCount: Type.Integer({ minimum: 0 }),
  lastSyncAt: nullable(dateTime),
  lastSuccessAt: nullable(dateTime),
  lastError: nullable(Type.String()),
  createdAt: dateTime,
  updatedAt: dateTime,
}, { additionalProperties: false });

export const Event = Type.Object({
  id: Type.String({ pattern: '^evt_', description: 'Stable across retries and replays; dedupe by it' }),
  object: Type.Literal('event'),
  type: Type.Union(EVENT_TYPES.map((type) => Type.Literal(type))),
  schemaVersion: Type.Literal(1),
  sequence: Type.Integer({ minimum: 1, description: 'Global, gap-free order of the log' }),
  occurredAt: dateTime,
  mailboxId: Type.String({ pattern: '^mbx_' }),
  emailAddress: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown(), { description: 'The shape of each type is in the event schema (docs/events.md)' }),
}, { additionalProperties: false, description: 'An event exactly as webhooks deliver it' });

export function page<T extends TSchema>(item: T) {
  return Type.Object({
    data: Type.Array(item),
    nextCursor: nullable(Type.String({ description: 'Pass as `after` for the next page; null on the last page' })),
  }, { additionalProperties: false });
}

export const Limit = Type.Integer({ minimum: 1, maximum: 1000, default: 100 });

export const EventQuery = Type.Object({
  after: Type.Optional(Type.String({ pattern: '^\\d+$', description: 'A cursor: the sequence after which to start (0 = the beginning)' })),
  limit: Type.Optional(Limit),
  type: Type.Optional(Type.String({ description: 'Event types: exact names or patterns (`message.*`), comma-separated' })),
  mailboxId: Type.Optional(Type.String()),
}, { additionalProperties: false });

export const Health = Type.Object({
  status: Type.Literal('ok'),
  version: Type.String(),
}, { additionalProperties: false });

/** The errors of routes that act: a conflict, a target that failed, or no daemon to ask. */
export const actionErrorResponses = {
  ...errorResponses,
  409: ErrorBody,
  422: ErrorBody,
  503: ErrorBody,
} as const;

const syncKind = Type.Union([Type.Literal('full'), Type.Literal('incremental'), Type.Literal('resync')]);

export const SyncRun = Type.Object({
  id: Type.String(),
  object: Type.Literal('sync_run'),
  mailboxId: Type.String({ pattern: '^mbx_' }),
  kind: syncKind,
  status: Type.Union([Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('superseded'), Type.Literal('abandoned')]),
  startedAt: dateTime,
  finishedAt: nullable(dateTime),
  endHistoryId: nullable(Type.String()),
  created: Type.Integer({ minimum: 0 }),
  updated: Type.Integer({ minimum: 0 }),
  deleted: Type.Integer({ minimum: 0 }),
  fetched: Type.Integer({ minimum: 0 }),
  events: Type.Integer({ minimum: 0 }),
  quotaUnits: Type.Integer({ minimum: 0 }),
  errorClass: nullable(Type.String()),
  errorMessage: nullable(Type.String()),
}, { additionalProperties: false });

export const SyncRequest = Type.Object({
  object: Type.Literal('sync_request'),
  mailboxId: Type.String({ pattern: '^mbx_' }),
  requestedAt: dateTime,
  lastRun: nullable(SyncRun),
}, { additionalProperties: false, description: 'The daemon was woken to sync the mailbox now; poll GET /v1/mailboxes/{id}/sync-runs for a run started after `requestedAt`' });

const health = Type.Union([Type.Literal('active'), Type.Literal('warning'), Type.Literal('disabled')]);
const scheme = Type.Union([Type.Literal('mailmon'), Type.Literal('standard'), Type.Literal('both')]);
const Subscription = Type.Object({
  eventType: Type.String({ description: 'An event type or pattern (`message.*`, `*`)' }),
  mailboxId: nullable(Type.String({ description: 'null: every mailbox' })),
}, { additionalProperties: false });

const endpointProperties = {
  id: Type.String({ pattern: '^whe_' }),
  object: Type.Literal('endpoint'),
  url: Type.String(),
  description: nullable(Type.String()),
  signatureScheme: scheme,
  headerNames: Type.Array(Type.String(), { description: 'Extra headers sent with each delivery (values are not shown)' }),
  health,
  enabled: Type.Boolean(),
  disabledReason: nullable(Type.String()),
  consecutiveFailures: Type.Integer({ minimum: 0 }),
  failingSince: nullable(dateTime),
  pending: Type.Integer({ minimum: 0, description: 'Attempts waiting or in flight' }),
  lastDeliveryAt: nullable(dateTime),
  lastError: nullable(Type.String()),
  subscriptions: Type.Array(Subscription),
  previousSecretExpiresAt: nullable(Type.String({ format: 'date-time', description: 'During a secret rotation: when the previous secret stops signing' })),
  createdAt: dateTime,
};

export const Endpoint = Type.Object(endpointProperties, { additionalProperties: false, description: 'A registered webhook endpoint' });

export const EndpointCreated = Type.Object({
  ...endpointProperties,
  secret: Type.String({ description: 'The signing secret, shown once here' }),
  verified: Type.Boolean({ description: 'Whether it passed the verification challenge (false when skipped)' }),
}, { additionalProperties: false });

export const NewEndpointBody = Type.Object({
  url: Type.String({ description: 'http:// or https://' }),
  events: Type.Optional(Type.Array(Type.String(), { description: 'Event types or patterns; empty or absent: every type' })),
  mailboxes: Type.Optional(Type.Array(Type.String(), { description: 'Mailbox ids or addresses; empty or absent: every mailbox' })),
  signatureScheme: Type.Optional(scheme),
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  description: Type.Optional(Type.String()),
  skipVerification: Type.Optional(Type.Boolean({ description: 'Register without the verification challenge' })),
}, { additionalProperties: false });

export const EndpointPatch = Type.Object({
  enabled: Type.Boolean({ description: 'true: active again, its kept backlog due now; false: paused, keeping a backlog' }),
}, { additionalProperties: false });

export const EndpointDeleted = Type.Object({ id: Type.String(), object: Type.Literal('endpoint'), deleted: Type.Literal(true) }, { additionalProperties: false });

export const EndpointSecret = Type.Object({
  id: Type.String(),
  object: Type.Literal('endpoint_secret'),
  secret: Type.String(),
  previous: nullable(Type.Object({ secret: Type.String(), expiresAt: dateTime }, { additionalProperties: false })),
}, { additionalProperties: false, description: 'The new secret signs from now on; the previous one keeps signing beside it for 24 h' });

export const EndpointTest = Type.Object({
  object: Type.Literal('endpoint_test'),
  endpointId: Type.String(),
  deliveryId: Type.String(),
  eventId: Type.String(),
  url: Type.String(),
  ok: Type.Boolean(),
  status: nullable(Type.Integer()),
  latencyMs: Type.Number({ minimum: 0 }),
  errorClass: nullable(Type.String()),
  errorMessage: nullable(Type.String()),
}, { additionalProperties: false });

const deliveryStatus = Type.Union([Type.Literal('pending'), Type.Literal('in_flight'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('abandoned')]);

export const Delivery = Type.Object({
  id: Type.String({ pattern: '^dlv_' }),
  object: Type.Literal('delivery'),
  endpointId: Type.String(),
  eventId: Type.String(),
  eventSequence: Type.Integer({ minimum: 0 }),
  attempt: Type.Integer({ minimum: 1 }),
  kind: Type.Union([Type.Literal('normal'), Type.Literal('replay'), Type.Literal('test'), Type.Literal('verification')]),
  status: deliveryStatus,
  scheduledAt: dateTime,
  startedAt: nullable(dateTime),
  finishedAt: nullable(dateTime),
  responseStatus: nullable(Type.Integer()),
  latencyMs: nullable(Type.Number({ minimum: 0 })),
  errorClass: nullable(Type.String()),
  errorMessage: nullable(Type.String()),
}, { additionalProperties: false, description: 'One attempt to deliver one event to one endpoint' });

export const DeliveryQuery = Type.Object({
  endpointId: Type.Optional(Type.String()),
  status: Type.Optional(Type.Union([Type.Literal('failed'), Type.Literal('abandoned'), Type.Literal('pending'), Type.Literal('succeeded')], { description: 'failed includes abandoned; pending includes in_flight' })),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'Only attempts scheduled at or after this time' })),
  limit: Type.Optional(Limit),
}, { additionalProperties: false });

export const DeliveryRetry = Type.Object({
  object: Type.Literal('delivery_retry'),
  deliveryId: Type.String(),
  scheduled: Type.Array(Type.String(), { description: 'The new attempts (empty when the event already has an open or delivered attempt)' }),
}, { additionalProperties: false });

const Address = Type.Object({ name: nullable(Type.String()), address: Type.String() }, { additionalProperties: false });

const messageProperties = {
  id: Type.String({ pattern: '^msg_' }),
  object: Type.Literal('message'),
  messageId: Type.String({ pattern: '^msg_', description: 'The same as id (events name it so)' }),
  threadId: Type.String({ pattern: '^thr_' }),
  mailboxId: Type.String({ pattern: '^mbx_' }),
  providerMessageId: Type.String({ description: "Gmail's message id" }),
  providerThreadId: Type.String({ description: "Gmail's thread id" }),
  subject: nullable(Type.String()),
  from: nullable(Address),
  to: Type.Array(Address),
  cc: Type.Array(Address),
  snippet: nullable(Type.String()),
  receivedAt: nullable(dateTime),
  labelIds: Type.Array(Type.String()),
  hasAttachments: Type.Boolean(),
  attachmentCount: Type.Integer({ minimum: 0 }),
  attachmentNames: Type.Array(Type.String()),
  historyId: nullable(Type.String()),
  sizeEstimate: nullable(Type.Integer({ minimum: 0 })),
  messageIdHeader: nullable(Type.String()),
  inReplyTo: nullable(Type.String()),
};

export const Message = Type.Object(messageProperties, { additionalProperties: false, description: 'A message as synced (metadata; no bodies are stored)' });

const threadProperties = {
  id: Type.String({ pattern: '^thr_' }),
  object: Type.Literal('thread'),
  mailboxId: Type.String({ pattern: '^mbx_' }),
  providerThreadId: Type.String(),
  subject: nullable(Type.String()),
  snippet: nullable(Type.String()),
  messageCount: Type.Integer({ minimum: 0 }),
  labelIds: Type.Array(Type.String()),
  lastMessageAt: nullable(dateTime),
};

export const Thread = Type.Object(threadProperties, { additionalProperties: false });
export const ThreadWithMessages = Type.Object({ ...threadProperties, messages: Type.Array(Message, { description: 'Oldest first' }) }, { additionalProperties: false });

const listFilters = {
  after: Type.Optional(Type.String({ description: 'A cursor: the nextCursor of the previous page' })),
  limit: Type.Optional(Limit),
  mailboxId: Type.Optional(Type.String({ description: 'mbx_… or the email address' })),
  labelId: Type.Optional(Type.String({ description: 'Only those carrying this label id (INBOX, UNREAD, Label_…)' })),
  q: Type.Optional(Type.String({ minLength: 1, description: 'Text in the subject, snippet or sender (case-insensitive)' })),
};

export const MessageQuery = Type.Object({ ...listFilters, threadId: Type.Optional(Type.String({ description: 'thr_… or Gmail\'s thread id' })) }, { additionalProperties: false });
export const ThreadQuery = Type.Object(listFilters, { additionalProperties: false });

export const ReplayJob = Type.Object({
  id: Type.String({ pattern: '^rpl_' }),
  object: Type.Literal('replay'),
  status: Type.Union([Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed')]),
  target: Type.String({ description: 'The URL the events go to' }),
  selected: Type.Integer({ minimum: 0, description: 'Events in the window' }),
  sent: Type.Integer({ minimum: 0 }),
  rejected: Type.Integer({ minimum: 0, description: 'Answered with a final 4xx' }),
  failed: Type.Integer({ minimum: 0, description: 'Out of attempts' }),
  createdAt: dateTime,
  finishedAt: nullable(dateTime),
  error: nullable(Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false })),
}, { additionalProperties: false, description: 'A replay running in the background of the process serving the API; poll it by id (kept in memory until that process stops)' });

export const NewReplayBody = Type.Object({
  start: dateTime,
  end: Type.Optional(dateTime),
  mailboxId: Type.Optional(Type.String({ description: 'mbx_… or the email address; absent: every mailbox' })),
  events: Type.Optional(Type.String({ description: 'Event types or patterns, comma-separated' })),
  endpointId: Type.Optional(Type.String({ pattern: '^whe_', description: 'A registered endpoint (its URL, headers and secrets)' })),
  url: Type.Optional(Type.String({ description: "Any URL, signed with the home's signing secret" })),
}, { additionalProperties: false, description: 'Exactly one of endpointId and url' });
