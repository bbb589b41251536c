/**
 * The JSON Schema (draft 2020-12) of the event envelope and of each type's `data`,
 * discriminated by `type`. It is the run-time twin of the TypeScript types in `events.ts`:
 * the property lists are checked against those types at compile time (`satisfies`), and a
 * test validates sample events of every type with a real validator. Objects are closed
 * (`additionalProperties: false`) so drift between producer and schema is caught, not hidden.
 */
import { EVENT_SCHEMA_VERSION, EVENT_TYPES, type EmailAddress, type EventType, type MailboxResyncedData, type MailboxStatusChangedData, type MessageDeletedData, type MessageSummary, type MessageUpdatedData, type ThreadUpdatedData } from './events.js';

type Schema = Record<string, unknown>;
/** Every key of T (and no other) maps to a schema. */
type PropertiesOf<T> = { [K in keyof Required<T>]: Schema };

const string = { type: 'string' } as const;
const nullableString = { type: ['string', 'null'] } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const;
const count = { type: 'integer', minimum: 0 } as const;
const stringList = { type: 'array', items: { type: 'string' } } as const;
const prefixedId = (prefix: string, description: string) => ({ type: 'string', pattern: `^${prefix}_[0-9A-Za-z]+$`, description }) as const;

function closedObject(properties: Schema, description?: string): Schema {
  return { type: 'object', ...(description ? { description } : {}), properties, required: Object.keys(properties), additionalProperties: false };
}

const emailAddress = closedObject({ name: nullableString, address: string } satisfies PropertiesOf<EmailAddress>);
const emailAddressRef = { $ref: '#/$defs/emailAddress' } as const;

const messageSummaryProperties = {
  messageId: prefixedId('msg', "mailmon's message id"),
  threadId: prefixedId('thr', "mailmon's thread id"),
  providerMessageId: { ...string, description: "Gmail's message id" },
  providerThreadId: { ...string, description: "Gmail's thread id" },
  subject: nullableString,
  from: { oneOf: [emailAddressRef, { type: 'null' }] },
  to: { type: 'array', items: emailAddressRef },
  cc: { type: 'array', items: emailAddressRef },
  snippet: nullableString,
  receivedAt: nullableDateTime,
  labelIds: stringList,
  hasAttachments: { type: 'boolean' },
  attachmentCount: count,
} satisfies PropertiesOf<MessageSummary>;

const dataSchemas: Record<EventType, Schema> = {
  'message.created': closedObject(messageSummaryProperties, 'A message appeared in the mailbox.'),
  'message.updated': closedObject(
    {
      ...messageSummaryProperties,
      labelsAdded: stringList,
      labelsRemoved: stringList,
      previousLabelIds: stringList,
    } satisfies PropertiesOf<MessageUpdatedData>,
    "A message's labels changed.",
  ),
  'message.deleted': closedObject(
    {
      messageId: messageSummaryProperties.messageId,
      threadId: messageSummaryProperties.threadId,
      providerMessageId: messageSummaryProperties.providerMessageId,
      providerThreadId: messageSummaryProperties.providerThreadId,
      subject: nullableString,
      labelIds: { ...stringList, description: 'The last labels known before deletion' },
    } satisfies PropertiesOf<MessageDeletedData>,
    'A message was deleted (or permanently removed from the mailbox).',
  ),
  'thread.updated': closedObject(
    {
      threadId: messageSummaryProperties.threadId,
      providerThreadId: messageSummaryProperties.providerThreadId,
      subject: nullableString,
      messageCount: count,
      labelIds: stringList,
      messageIds: { ...stringList, description: "Gmail's ids of the thread's messages" },
      lastMessageAt: nullableDateTime,
      deleted: { type: 'boolean' },
    } satisfies PropertiesOf<ThreadUpdatedData>,
    "A thread's messages or labels changed.",
  ),
  'mailbox.status_changed': closedObject(
    { previousStatus: nullableString, status: string, reason: nullableString } satisfies PropertiesOf<MailboxStatusChangedData>,
    "The mailbox's status changed (for example to reauth_required).",
  ),
  'mailbox.resynced': closedObject(
    {
      reason: { enum: ['history_expired', 'requested'] },
      previousHistoryId: nullableString,
      historyId: string,
      created: count,
      updated: count,
      deleted: count,
    } satisfies PropertiesOf<MailboxResyncedData>,
    'A full resync finished; the counts are the real changes it found.',
  ),
};

const dataDefName = (type: EventType) => `${type.replace(/[._](\w)/g, (_match, letter: string) => letter.toUpperCase())}Data`;

/** JSON Schema (draft 2020-12) of a mailmon event. */
export const eventJsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:mailmon:schema:event:1',
  title: 'mailmon event',
  description: 'One change in a mailbox, as recorded in the event log and delivered in a webhook body.',
  type: 'object',
  properties: {
    id: prefixedId('evt', 'Stable across retries and replays; dedupe by it'),
    object: { const: 'event' },
    type: { enum: [...EVENT_TYPES] },
    schemaVersion: { const: EVENT_SCHEMA_VERSION },
    sequence: { type: 'integer', minimum: 1, description: 'Global, gap-free order of the log' },
    occurredAt: dateTime,
    mailboxId: prefixedId('mbx', "mailmon's mailbox id"),
    emailAddress: { ...string, minLength: 1 },
    data: { type: 'object' },
  },
  required: ['id', 'object', 'type', 'schemaVersion', 'sequence', 'occurredAt', 'mailboxId', 'emailAddress', 'data'],
  additionalProperties: false,
  oneOf: EVENT_TYPES.map((type) => ({
    properties: { type: { const: type }, data: { $ref: `#/$defs/${dataDefName(type)}` } },
  })),
  $defs: {
    emailAddress,
    ...Object.fromEntries(EVENT_TYPES.map((type) => [dataDefName(type), dataSchemas[type]])),
  },
} as const;
