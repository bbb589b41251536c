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
