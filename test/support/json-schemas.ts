/**
 * One JSON schema per command output: the shapes scripts may rely on. Timestamps are
 * ISO 8601 strings (format date-time) and every object that is a thing of its own carries `id`.
 * `outputValidator(name)` compiles one with ajv; `expectShape` asserts a value against it.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { eventJsonSchema } from '../../src/core/event-schema.js';

type Schema = Record<string, unknown>;

const time: Schema = { type: 'string', format: 'date-time' };
const timeOrNull: Schema = { anyOf: [{ type: 'null' }, time] };
const id = (prefix: string): Schema => ({ type: 'string', pattern: `^${prefix}_[0-9a-z]{26}$` });
const nullable = (type: string): Schema => ({ anyOf: [{ type: 'null' }, { type }] });
const object = (properties: Record<string, Schema>, required: string[] = Object.keys(properties)): Schema => ({ type: 'object', properties, required });
const list = (items: Schema): Schema => ({ type: 'array', items });

const deliveryStatus: Schema = { enum: ['pending', 'in_flight', 'succeeded', 'failed', 'abandoned'] };
const endpointSummary = object({ id: id('whe'), url: { type: 'string' }, health: { enum: ['active', 'warning', 'disabled'] }, enabled: { type: 'boolean' }, consecutiveFailures: { type: 'integer' }, failingSince: timeOrNull, pending: { type: 'integer' }, lastDeliveryAt: timeOrNull });

export const outputSchemas = {
  login: object({ id: id('mbx'), mailboxId: id('mbx'), emailAddress: { type: 'string' }, status: { type: 'string' } }),
  mailboxes: list(object({ id: id('mbx'), emailAddress: { type: 'string' }, status: { type: 'string' }, lastSyncAt: timeOrNull, lastSuccessAt: timeOrNull, messageCount: { type: 'integer' } })),
  status: object({
    generatedAt: time,
    daemon: object({ running: { type: 'boolean' }, pid: nullable('integer'), uptimeMs: nullable('integer') }),
    mailboxes: list(object({ id: id('mbx'), mailboxId: id('mbx'), emailAddress: { type: 'string' }, status: { type: 'string' }, lastSuccessAt: timeOrNull, lagMs: nullable('integer'), messageCount: { type: 'integer' }, lastError: nullable('string') })),
    events: object({ count: { type: 'integer' }, newest: { anyOf: [{ type: 'null' }, object({ id: id('evt'), type: { type: 'string' }, sequence: { type: 'integer' }, occurredAt: time })] } }),
    consumers: list(object({ id: { type: 'string' }, name: { type: 'string' }, lastSequence: { type: 'integer' }, behind: { type: 'integer' }, heartbeatAt: timeOrNull })),
    endpoints: list(endpointSummary),
  }),
  'daemon status': object({
    running: { type: 'boolean' }, pid: nullable('integer'), uptimeMs: nullable('integer'),
    mailboxes: list(object({ id: id('mbx'), mailboxId: id('mbx'), emailAddress: { type: 'string' }, status: { type: 'string' }, lastSyncAt: timeOrNull, lastSuccessAt: timeOrNull, lastError: nullable('string') })),
  }),
  'daemon start': object({ alreadyRunning: { type: 'boolean' }, pid: { type: 'integer', minimum: 1 }, logFile: { type: 'string' } }),
  'events list': list(eventJsonSchema as Schema),
  'events export': object({ count: { type: 'integer' }, file: { type: 'string' } }),
  'messages list': list(object({ id: id('msg'), messageId: id('msg'), threadId: id('thr'), mailboxId: id('mbx'), receivedAt: timeOrNull })),
  'threads list': list(object({ id: id('thr'), threadId: id('thr'), mailboxId: id('mbx'), lastMessageAt: timeOrNull })),
  'webhooks list': list({ allOf: [endpointSummary, object({ createdAt: time })] }),
  'webhooks remove': object({ id: id('whe'), removed: { const: true } }),
  'webhooks test': object({ id: id('dlv'), deliveryId: id('dlv'), endpointId: id('whe'), eventId: id('evt'), ok: { type: 'boolean' }, status: nullable('integer'), latencyMs: { type: 'integer' } }),
  'deliveries list': list(object({ id: id('dlv'), endpointId: id('whe'), eventId: id('evt'), attempt: { type: 'integer' }, status: deliveryStatus, scheduledAt: time, startedAt: timeOrNull, finishedAt: timeOrNull })),
  'consumers list': list(object({ id: { type: 'string' }, name: { type: 'string' }, kind: { type: 'string' }, target: nullable('string'), lastSequence: { type: 'integer' }, behind: { type: 'integer' }, active: { type: 'boolean' }, lastActiveAt: timeOrNull, createdAt: time })),
  'consumers remove': object({ id: { type: 'string' }, name: { type: 'string' }, removed: { const: true } }),
} satisfies Record<string, Schema>;

export type OutputName = keyof typeof outputSchemas;

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats.default(ajv);
const compiled = new Map<OutputName, ValidateFunction>();

/** Throws with ajv's errors when `value` is not the documented output of `name`. */
export function expectShape(name: OutputName, value: unknown): void {
  let validate = compiled.get(name);
  if (!validate) compiled.set(name, (validate = ajv.compile(outputSchemas[name])));
  if (!validate(value)) throw new Error(`${name} --json does not match its schema: ${ajv.errorsText(validate.errors, { separator: '\n' })}\n${JSON.stringify(value, null, 2).slice(0, 2000)}`);
  const epoch = epochTimestamps(value);
  if (epoch.length > 0) throw new Error(`${name} --json has epoch timestamps at ${epoch.join(', ')}`);
}

/** Paths of number values under timestamp-like keys (…At, …Since): ISO strings are required. */
function epochTimestamps(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => epochTimestamps(item, `${path}[${index}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, field]) => (/(At|Since)$|^at$/.test(key) && typeof field === 'number' ? [`${path}.${key}`] : epochTimestamps(field, `${path}.${key}`)));
}
