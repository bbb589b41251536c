/**
 * The PostgreSQL store schema: the SQLite schema (src/adapters/sqlite/schema.ts) table by
 * table, same names and meanings, plus what a store shared by many daemons needs (mailbox
 * leases, live daemons, delivery claims). drizzle-kit generates the SQL migrations in
 * /migrations-pg from this file; `npm run build` fails when they drift.
 *
 * Types, chosen so both stores hold the same values: times are bigint epoch milliseconds
 * (as in SQLite); event sequences are bigint, assigned by the appender rather than by a
 * PostgreSQL sequence (a sequence value is taken before commit and lost on rollback, which
 * would leave gaps); an event body is text, so the exact JSON that was signed and sent
 * survives byte for byte; objects are `json` (kept as written, key order included) and
 * label-id arrays `jsonb`; flags are boolean.
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, json, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';

/** Epoch milliseconds (or any count beyond 2^31) as a JavaScript number. */
const millis = (name: string) => bigint(name, { mode: 'number' });

type Address = { name: string | null; address: string };

export const mailboxes = pgTable('mailboxes', {
  id: text('id').primaryKey(),
  emailAddress: text('email_address').notNull(),
  name: text('name'),
  /** pending (never fully synced) | active | reauth_required | paused */
  status: text('status').notNull().default('pending'),
  statusReason: text('status_reason'),
  /** The durable history cursor: the Gmail historyId everything up to which is applied. */
  historyId: text('history_id'),
  /** Checkpoint of a full sync in progress, so a crash resumes instead of restarting. */
  fullSyncCheckpoint: json('full_sync_checkpoint').$type<Record<string, unknown>>(),
  /** Fencing token: incremented by every lease acquisition; every commit checks it. */
  leaseEpoch: millis('lease_epoch').notNull().default(0),
  gmailApiUrl: text('gmail_api_url'),
  oauthUrl: text('oauth_url'),
  scope: text('scope'),
  lastSyncAt: millis('last_sync_at'),
  lastSuccessAt: millis('last_success_at'),
  lastError: text('last_error'),
  createdAt: millis('created_at').notNull(),
  updatedAt: millis('updated_at').notNull(),
}, (table) => [uniqueIndex('mailboxes_email_address_unique').on(table.emailAddress)]);

/**
 * Who may sync a mailbox now: one row per held (or once held) mailbox. A holder keeps it by
 * heartbeats that push `expires_at` forward; another daemon takes it over only after
 * `expires_at`, and the take-over increments `epoch`, so commits fenced on the old epoch fail.
 */
export const leases = pgTable('leases', {
  mailboxId: text('mailbox_id').primaryKey().references(() => mailboxes.id, { onDelete: 'cascade' }),
  /** The holding daemon (`daemons.holder_id`). */
  holderId: text('holder_id').notNull(),
  /** What the lease is for (sync, verify), shown to others. */
  purpose: text('purpose').notNull().default('sync'),
  epoch: millis('epoch').notNull(),
  acquiredAt: millis('acquired_at').notNull(),
  heartbeatAt: millis('heartbeat_at').notNull(),
  expiresAt: millis('expires_at').notNull(),
}, (table) => [index('leases_holder_idx').on(table.holderId), index('leases_expires_idx').on(table.expiresAt)]);

/** The daemons sharing this store, by heartbeat: the live ones divide the mailboxes between them. */
export const daemons = pgTable('daemons', {
  holderId: text('holder_id').primaryKey(),
  host: text('host').notNull(),
  pid: integer('pid').notNull(),
  startedAt: millis('started_at').notNull(),
  heartbeatAt: millis('heartbeat_at').notNull(),
}, (table) => [index('daemons_heartbeat_idx').on(table.heartbeatAt)]);

/** Gmail push: the users.watch of each mailbox, as last called. */
export const pushWatches = pgTable('push_watches', {
  mailboxId: text('mailbox_id').primaryKey().references(() => mailboxes.id, { onDelete: 'cascade' }),
  topic: text('topic').notNull(),
  /** active (Gmail accepted the watch) | failed (the last watch call failed; see error) | stopped */
  state: text('state').notNull(),
  /** Epoch ms Gmail gave as the watch's expiration; null when never watched. */
  expiration: millis('expiration'),
  /** When users.watch last succeeded (renewals are due a day later). */
  watchedAt: millis('watched_at'),
  error: text('error'),
  /** The newest historyId a notification for this mailbox carried. */
  lastNotifiedHistoryId: text('last_notified_history_id'),
  lastNotifiedAt: millis('last_notified_at'),
  updatedAt: millis('updated_at').notNull(),
});

/** Envelope metadata and ciphertext only; never a plaintext token. */
export const credentials = pgTable('credentials', {
  mailboxId: text('mailbox_id').primaryKey().references(() => mailboxes.id, { onDelete: 'cascade' }),
  /** keychain | file */
  store: text('store').notNull(),
  envelopeVersion: integer('envelope_version'),
  keyId: text('key_id'),
  nonce: text('nonce'),
  tag: text('tag'),
  ciphertext: text('ciphertext'),
  clientId: text('client_id'),
  scope: text('scope'),
  createdAt: millis('created_at').notNull(),
  updatedAt: millis('updated_at').notNull(),
});

/** Store-wide secrets (e.g. the listen signing secret), protected like credentials. */
export const secrets = pgTable('secrets', {
  name: text('name').primaryKey(),
  store: text('store').notNull(),
  envelopeVersion: integer('envelope_version'),
  keyId: text('key_id'),
  nonce: text('nonce'),
  tag: text('tag'),
  ciphertext: text('ciphertext'),
  createdAt: millis('created_at').notNull(),
  updatedAt: millis('updated_at').notNull(),
});

export const labels = pgTable('labels', {
  mailboxId: text('mailbox_id').notNull().references(() => mailboxes.id, { onDelete: 'cascade' }),
  id: text('id').notNull(),
  name: text('name').notNull(),
  /** system | user */
  type: text('type').notNull(),
  updatedAt: millis('updated_at').notNull(),
}, (table) => [primaryKey({ columns: [table.mailboxId, table.id] })]);

export const threads = pgTable('threads', {
  id: text('id').primaryKey(),
  mailboxId: text('mailbox_id').notNull().references(() => mailboxes.id, { onDelete: 'cascade' }),
  providerThreadId: text('provider_thread_id').notNull(),
  subject: text('subject'),
  snippet: text('snippet'),
  messageCount: integer('message_count').notNull(),
  labelIds: jsonb('label_ids').$type<string[]>().notNull(),
  lastMessageAt: millis('last_message_at'),
  historyId: text('history_id'),
  updatedAt: millis('updated_at').notNull(),
}, (table) => [
  uniqueIndex('threads_mailbox_provider_unique').on(table.mailboxId, table.providerThreadId),
  // The list order (newest first, undated last, then id): pages seek instead of sorting the table.
  index('threads_list_idx').on(sql`coalesce(${table.lastMessageAt}, -1)`, sql`${table.id} collate "C"`),
  index('threads_mailbox_list_idx').on(table.mailboxId, sql`coalesce(${table.lastMessageAt}, -1)`, sql`${table.id} collate "C"`),
]);

export const messages = pgTable('messages', {
  id: text('id').primaryKey(),
  mailboxId: text('mailbox_id').notNull().references(() => mailboxes.id, { onDelete: 'cascade' }),
  providerMessageId: text('provider_message_id').notNull(),
  threadId: text('thread_id').notNull(),
  providerThreadId: text('provider_thread_id').notNull(),
  labelIds: jsonb('label_ids').$type<string[]>().notNull(),
  subject: text('subject'),
  fromAddress: json('from_address').$type<Address | null>(),
  toAddresses: json('to_addresses').$type<Address[]>(),
  ccAddresses: json('cc_addresses').$type<Address[]>(),
  dateHeader: text('date_header'),
  messageIdHeader: text('message_id_header'),
  inReplyTo: text('in_reply_to'),
  references: text('references'),
  snippet: text('snippet'),
  internalDate: millis('internal_date'),
  sizeEstimate: millis('size_estimate'),
  historyId: text('history_id'),
  attachmentCount: integer('attachment_count').notNull().default(0),
  attachmentNames: jsonb('attachment_names').$type<string[]>(),
  /** The full sync that last saw this message in Gmail's listing; unmarked ones are swept as deleted. */
  syncMark: text('sync_mark'),
  createdAt: millis('created_at').notNull(),
  updatedAt: millis('updated_at').notNull(),
}, (table) => [
  uniqueIndex('messages_mailbox_provider_unique').on(table.mailboxId, table.providerMessageId),
  index('messages_thread_idx').on(table.mailboxId, table.providerThreadId),
  index('messages_list_idx').on(sql`coalesce(${table.internalDate}, -1)`, sql`${table.id} collate "C"`),
  index('messages_mailbox_list_idx').on(table.mailboxId, sql`coalesce(${table.internalDate}, -1)`, sql`${table.id} collate "C"`),
]);

export const syncRuns = pgTable('sync_runs', {
  id: text('id').primaryKey(),
  mailboxId: text('mailbox_id').notNull().references(() => mailboxes.id, { onDelete: 'cascade' }),
  /** full | incremental | resync */
  kind: text('kind').notNull(),
  /** running | succeeded | failed | abandoned */
  status: text('status').notNull(),
  pid: integer('pid'),
  leaseEpoch: millis('lease_epoch'),
  startedAt: millis('started_at').notNull(),
  finishedAt: millis('finished_at'),
  startHistoryId: text('start_history_id'),
  endHistoryId: text('end_history_id'),
  messagesCreated: integer('messages_created').notNull().default(0),
  messagesUpdated: integer('messages_updated').notNull().default(0),
  messagesDeleted: integer('messages_deleted').notNull().default(0),
  messagesFetched: integer('messages_fetched').notNull().default(0),
  eventsEmitted: integer('events_emitted').notNull().default(0),
  quotaUnits: millis('quota_units').notNull().default(0),
  errorClass: text('error_class'),
  errorMessage: text('error_message'),
}, (table) => [index('sync_runs_mailbox_idx').on(table.mailboxId, table.startedAt), index('sync_runs_status_idx').on(table.status)]);

/**
 * The append-only event log. `sequence` is global and gap-free: the appender assigns it, and
 * appends in sequence order = commit order, so a reader never passes a sequence still to come.
 * `body` is the exact JSON sent. Every insert statement notifies channel `mailmon_events` at its
 * commit (a trigger, written by hand in migration 0002: drizzle-kit does not model triggers),
 * which wakes readers on every machine (pg-change-notifier.ts).
 */
export const events = pgTable('events', {
  sequence: millis('sequence').primaryKey(),
  id: text('id').notNull(),
  type: text('type').notNull(),
  mailboxId: text('mailbox_id').notNull(),
  /** Per-thread (or per-mailbox) ordering key for delivery. */
  orderingKey: text('ordering_key').notNull(),
  occurredAt: millis('occurred_at').notNull(),
  body: text('body').notNull(),
}, (table) => [
  uniqueIndex('events_id_unique').on(table.id),
  index('events_occurred_at_idx').on(table.occurredAt),
  index('events_mailbox_idx').on(table.mailboxId, table.sequence),
]);

/** A durable cursor per consumer (e.g. one per `listen --forward-to` target). */
export const consumers = pgTable('consumers', {
  name: text('name').primaryKey(),
  kind: text('kind').notNull(),
  target: text('target'),
  lastSequence: millis('last_sequence').notNull().default(0),
  pid: integer('pid'),
  heartbeatAt: millis('heartbeat_at'),
  createdAt: millis('created_at').notNull(),
  updatedAt: millis('updated_at').notNull(),
});

/**
 * A consumer's progress above its cursor: per thread (ordering key), the last finished sequence.
 * One stuck thread holds `consumers.last_sequence` back; these rows keep what other threads
 * finished meanwhile, so a restart does not send it again. Rows at or below the cursor are pruned.
 */
export const consumerThreads = pgTable('consumer_threads', {
  consumer: text('consumer').notNull().references(() => consumers.name, { onDelete: 'cascade' }),
  orderingKey: text('ordering_key').notNull(),
  lastSequence: millis('last_sequence').notNull(),
}, (table) => [primaryKey({ columns: [table.consumer, table.orderingKey] })]);

export const webhookEndpoints = pgTable('webhook_endpoints', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  description: text('description'),
  /** mailmon | standard | both */
  signatureScheme: text('signature_scheme').notNull().default('both'),
  headers: json('headers').$type<Record<string, string>>().notNull(),
  /**
   * The signing secret lives in the credential vault (`secrets` row `webhook:<id>`, and
   * `webhook:<id>:previous` during a rotation); the previous secret still signs until this time.
   */
  previousSecretExpiresAt: millis('previous_secret_expires_at'),
  /** active | warning | disabled */
  health: text('health').notNull().default('active'),
  enabled: boolean('enabled').notNull().default(true),
  disabledReason: text('disabled_reason'),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  /** When the current run of failed deliveries began (null after a success): health measures it in time. */
  failingSince: millis('failing_since'),
  /** Events up to this sequence have been fanned out into deliveries. */
  lastEnqueuedSequence: millis('last_enqueued_sequence').notNull().default(0),
  createdAt: millis('created_at').notNull(),
  updatedAt: millis('updated_at').notNull(),
});

export const endpointHealthChanges = pgTable('endpoint_health_changes', {
  // By default, not always: copying a SQLite store keeps its ids.
  id: millis('id').primaryKey().generatedByDefaultAsIdentity(),
  endpointId: text('endpoint_id').notNull().references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
  fromHealth: text('from_health').notNull(),
  toHealth: text('to_health').notNull(),
  reason: text('reason').notNull(),
  at: millis('at').notNull(),
});

/** Which events an endpoint receives: an event-type pattern (e.g. `message.*`) and optional mailbox. */
export const subscriptions = pgTable('subscriptions', {
  id: millis('id').primaryKey().generatedByDefaultAsIdentity(),
  endpointId: text('endpoint_id').notNull().references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
  eventType: text('event_type').notNull().default('*'),
  mailboxId: text('mailbox_id'),
}, (table) => [index('subscriptions_endpoint_idx').on(table.endpointId)]);

/** One row per delivery attempt. An attempt being sent is claimed: who claimed it, and when. */
export const deliveries = pgTable('deliveries', {
  id: text('id').primaryKey(),
  endpointId: text('endpoint_id').notNull().references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
  eventSequence: millis('event_sequence').notNull(),
  eventId: text('event_id').notNull(),
  orderingKey: text('ordering_key').notNull(),
  attempt: integer('attempt').notNull(),
  /** normal | replay | test | verification */
  kind: text('kind').notNull().default('normal'),
  /** pending | in_flight | succeeded | failed | abandoned */
  status: text('status').notNull(),
  scheduledAt: millis('scheduled_at').notNull(),
  startedAt: millis('started_at'),
  finishedAt: millis('finished_at'),
  /** The daemon (`daemons.holder_id`) that claimed this attempt; stale claims are released by age, not by checking it. */
  claimedBy: text('claimed_by'),
  claimedAt: millis('claimed_at'),
  responseStatus: integer('response_status'),
  latencyMs: integer('latency_ms'),
  responseHeaders: json('response_headers').$type<Record<string, string>>(),
  responseBody: text('response_body'),
  errorClass: text('error_class'),
  errorMessage: text('error_message'),
}, (table) => [
  index('deliveries_due_idx').on(table.status, table.scheduledAt),
  index('deliveries_endpoint_idx').on(table.endpointId, table.eventSequence),
  index('deliveries_ordering_idx').on(table.endpointId, table.orderingKey, table.eventSequence),
  index('deliveries_event_idx').on(table.eventSequence),
  index('deliveries_endpoint_due_idx').on(table.endpointId, table.status, table.scheduledAt),
  // Open attempts only: "is this the head of its thread?" stays an index probe however long the log grows.
  index('deliveries_open_idx').on(table.endpointId, table.orderingKey, table.eventSequence).where(sql`status in ('pending', 'in_flight')`),
  // Stale claims are found by age.
  index('deliveries_claimed_idx').on(table.claimedAt).where(sql`status = 'in_flight'`),
]);

/** API keys of the HTTP API: only a hash of each key; a revoked key stays listed. */
export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name'),
  /** read | write */
  scope: text('scope').notNull(),
  /** SHA-256 of the whole key, hex. */
  keyHash: text('key_hash').notNull(),
  keyPrefix: text('key_prefix').notNull(),
  createdAt: millis('created_at').notNull(),
  revokedAt: millis('revoked_at'),
}, (table) => [uniqueIndex('api_keys_hash_idx').on(table.keyHash)]);

/**
 * Marks on the whole store. `corrupt`: doctor found the store damaged; new connections refuse it
 * (store_corrupt) until doctor finds it intact again and deletes the mark.
 */
export const storeMarks = pgTable('store_marks', {
  name: text('name').primaryKey(),
  detail: text('detail').notNull(),
  markedAt: millis('marked_at').notNull(),
});
