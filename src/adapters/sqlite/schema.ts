/**
 * The whole store schema. drizzle-kit generates the numbered SQL migrations in
 * /migrations from this file; `npm run build` fails when they drift. Times are integer epoch
 * milliseconds; JSON columns hold arrays/objects passed as values, not strings.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const mailboxes = sqliteTable('mailboxes', {
  id: text('id').primaryKey(),
  emailAddress: text('email_address').notNull(),
  name: text('name'),
  /** pending (never fully synced) | active | reauth_required | paused */
  status: text('status').notNull().default('pending'),
  statusReason: text('status_reason'),
  /** The durable history cursor: the Gmail historyId everything up to which is applied. */
  historyId: text('history_id'),
  /** JSON checkpoint of a full sync in progress, so a crash resumes instead of restarting. */
  fullSyncCheckpoint: text('full_sync_checkpoint', { mode: 'json' }).$type<Record<string, unknown>>(),
  /** Fencing token: incremented by every lease acquisition; every commit checks it. */
  leaseEpoch: integer('lease_epoch').notNull().default(0),
  gmailApiUrl: text('gmail_api_url'),
  oauthUrl: text('oauth_url'),
  scope: text('scope'),
  lastSyncAt: integer('last_sync_at'),
  lastSuccessAt: integer('last_success_at'),
  lastError: text('last_error'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (table) => [uniqueIndex('mailboxes_email_address_unique').on(table.emailAddress)]);

/** Gmail push: the users.watch of each mailbox, as last called. */
export const pushWatches = sqliteTable('push_watches', {
  mailboxId: text('mailbox_id').primaryKey().references(() => mailboxes.id, { onDelete: 'cascade' }),
  topic: text('topic').notNull(),
  /** active (Gmail accepted the watch) | failed (the last watch call failed; see error) | stopped */
  state: text('state').notNull(),
  /** Epoch ms Gmail gave as the watch's expiration; null when never watched. */
  expiration: integer('expiration'),
  /** When users.watch last succeeded (renewals are due a day later). */
  watchedAt: integer('watched_at'),
  error: text('error'),
  /** The newest historyId a notification for this mailbox carried. */
  lastNotifiedHistoryId: text('last_notified_history_id'),
  lastNotifiedAt: integer('last_notified_at'),
  updatedAt: integer('updated_at').notNull(),
});

/** Envelope metadata and ciphertext only; never a plaintext token. */
export const credentials = sqliteTable('credentials', {
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
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** Home-wide secrets (e.g. the listen signing secret), protected like credentials. */
export const secrets = sqliteTable('secrets', {
  name: text('name').primaryKey(),
  store: text('store').notNull(),
  envelopeVersion: integer('envelope_version'),
  keyId: text('key_id'),
  nonce: text('nonce'),
  tag: text('tag'),
  ciphertext: text('ciphertext'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const labels = sqliteTable('labels', {
  mailboxId: text('mailbox_id').notNull().references(() => mailboxes.id, { onDelete: 'cascade' }),
  id: text('id').notNull(),
  name: text('name').notNull(),
  /** system | user */
  type: text('type').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (table) => [primaryKey({ columns: [table.mailboxId, table.id] })]);

export const threads = sqliteTable('threads', {
  id: text('id').primaryKey(),
  mailboxId: text('mailbox_id').notNull().references(() => mailboxes.id, { onDelete: 'cascade' }),
  providerThreadId: text('provider_thread_id').notNull(),
  subject: text('subject'),
  snippet: text('snippet'),
  messageCount: integer('message_count').notNull(),
  labelIds: text('label_ids', { mode: 'json' }).$type<string[]>().notNull(),
  lastMessageAt: integer('last_message_at'),
  historyId: text('history_id'),
  updatedAt: integer('updated_at').notNull(),
}, (table) => [
  uniqueIndex('threads_mailbox_provider_unique').on(table.mailboxId, table.providerThreadId),
  // The list order (newest first, undated last, then id): pages seek instead of sorting the table.
  index('threads_list_idx').on(sql`coalesce(${table.lastMessageAt}, -1)`, table.id),
  index('threads_mailbox_list_idx').on(table.mailboxId, sql`coalesce(${table.lastMessageAt}, -1)`, table.id),
]);

export const messages = sqliteTable('messages', {
  id: text('id').primaryKey(),
  mailboxId: text('mailbox_id').notNull().references(() => mailboxes.id, { onDelete: 'cascade' }),
  providerMessageId: text('provider_message_id').notNull(),
  threadId: text('thread_id').notNull(),
  providerThreadId: text('provider_thread_id').notNull(),
  labelIds: text('label_ids', { mode: 'json' }).$type<string[]>().notNull(),
  subject: text('subject'),
  fromAddress: text('from_address', { mode: 'json' }).$type<{ name: string | null; address: string } | null>(),
  toAddresses: text('to_addresses', { mode: 'json' }).$type<Array<{ name: string | null; address: string }>>(),
  ccAddresses: text('cc_addresses', { mode: 'json' }).$type<Array<{ name: string | null; address: string }>>(),
  dateHeader: text('date_header'),
  messageIdHeader: text('message_id_header'),
  inReplyTo: text('in_reply_to'),
  references: text('references'),
  snippet: text('snippet'),
  internalDate: integer('internal_date'),
  sizeEstimate: integer('size_estimate'),
  historyId: text('history_id'),
  attachmentCount: integer('attachment_count').notNull().default(0),
  attachmentNames: text('attachment_names', { mode: 'json' }).$type<string[]>(),
  /** The full sync that last saw this message in Gmail's listing; unmarked ones are swept as deleted. */
  syncMark: text('sync_mark'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (table) => [
  uniqueIndex('messages_mailbox_provider_unique').on(table.mailboxId, table.providerMessageId),
  index('messages_thread_idx').on(table.mailboxId, table.providerThreadId),
  index('messages_list_idx').on(sql`coalesce(${table.internalDate}, -1)`, table.id),
  index('messages_mailbox_list_idx').on(table.mailboxId, sql`coalesce(${table.internalDate}, -1)`, table.id),
]);

export const syncRuns = sqliteTable('sync_runs', {
  id: text('id').primaryKey(),
  mailboxId: text('mailbox_id').notNull().references(() => mailboxes.id, { onDelete: 'cascade' }),
  /** full | incremental | resync */
  kind: text('kind').notNull(),
  /** running | succeeded | failed | superseded | abandoned */
  status: text('status').notNull(),
  pid: integer('pid'),
  leaseEpoch: integer('lease_epoch'),
  startedAt: integer('started_at').notNull(),
  finishedAt: integer('finished_at'),
  startHistoryId: text('start_history_id'),
  endHistoryId: text('end_history_id'),
  messagesCreated: integer('messages_created').notNull().default(0),
  messagesUpdated: integer('messages_updated').notNull().default(0),
  messagesDeleted: integer('messages_deleted').notNull().default(0),
  messagesFetched: integer('messages_fetched').notNull().default(0),
  eventsEmitted: integer('events_emitted').notNull().default(0),
  quotaUnits: integer('quota_units').notNull().default(0),
  errorClass: text('error_class'),
  errorMessage: text('error_message'),
}, (table) => [index('sync_runs_mailbox_idx').on(table.mailboxId, table.startedAt), index('sync_runs_status_idx').on(table.status)]);

/** The append-only event log. `sequence` is global and gap-free; `body` is the exact JSON sent. */
export const events = sqliteTable('events', {
  sequence: integer('sequence').primaryKey(),
  id: text('id').notNull(),
  type: text('type').notNull(),
  mailboxId: text('mailbox_id').notNull(),
  /** Per-thread (or per-mailbox) ordering key for delivery. */
  orderingKey: text('ordering_key').notNull(),
  occurredAt: integer('occurred_at').notNull(),
  body: text('body').notNull(),
}, (table) => [
  uniqueIndex('events_id_unique').on(table.id),
  index('events_occurred_at_idx').on(table.occurredAt),
  index('events_mailbox_idx').on(table.mailboxId, table.sequence),
]);

/** A durable cursor per consumer (e.g. one per `listen --forward-to` target). */
export const consumers = sqliteTable('consumers', {
  name: text('name').primaryKey(),
  kind: text('kind').notNull(),
  target: text('target'),
  lastSequence: integer('last_sequence').notNull().default(0),
  pid: integer('pid'),
  heartbeatAt: integer('heartbeat_at'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * A consumer's progress above its cursor: per thread (ordering key), the last finished sequence.
 * One stuck thread holds `consumers.last_sequence` back; these rows keep what other threads
 * finished meanwhile, so a restart does not send it again. Rows at or below the cursor are pruned.
 */
export const consumerThreads = sqliteTable('consumer_threads', {
  consumer: text('consumer').notNull().references(() => consumers.name, { onDelete: 'cascade' }),
  orderingKey: text('ordering_key').notNull(),
  lastSequence: integer('last_sequence').notNull(),
}, (table) => [primaryKey({ columns: [table.consumer, table.orderingKey] })]);

export const webhookEndpoints = sqliteTable('webhook_endpoints', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  description: text('description'),
  /** mailmon | standard | both */
  signatureScheme: text('signature_scheme').notNull().default('both'),
  headers: text('headers', { mode: 'json' }).$type<Record<string, string>>().notNull(),
  /**
   * The signing secret lives in the credential vault (`secrets` row `webhook:<id>`, and
   * `webhook:<id>:previous` during a rotation), so `credentials audit|rewrap` and the keychain
   * cover it; the previous secret still signs until this time.
   */
  previousSecretExpiresAt: integer('previous_secret_expires_at'),
  /** active | warning | disabled */
  health: text('health').notNull().default('active'),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  disabledReason: text('disabled_reason'),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  /** When the current run of failed deliveries began (null after a success): health measures it in time. */
  failingSince: integer('failing_since'),
  /** Events up to this sequence have been fanned out into deliveries. */
  lastEnqueuedSequence: integer('last_enqueued_sequence').notNull().default(0),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const endpointHealthChanges = sqliteTable('endpoint_health_changes', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  endpointId: text('endpoint_id').notNull().references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
  fromHealth: text('from_health').notNull(),
  toHealth: text('to_health').notNull(),
  reason: text('reason').notNull(),
  at: integer('at').notNull(),
});

/** Which events an endpoint receives: an event-type pattern (e.g. `message.*`) and optional mailbox. */
export const subscriptions = sqliteTable('subscriptions', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  endpointId: text('endpoint_id').notNull().references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
  eventType: text('event_type').notNull().default('*'),
  mailboxId: text('mailbox_id'),
}, (table) => [index('subscriptions_endpoint_idx').on(table.endpointId)]);

/** One row per delivery attempt. */
export const deliveries = sqliteTable('deliveries', {
  id: text('id').primaryKey(),
  endpointId: text('endpoint_id').notNull().references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
  eventSequence: integer('event_sequence').notNull(),
  eventId: text('event_id').notNull(),
  orderingKey: text('ordering_key').notNull(),
  attempt: integer('attempt').notNull(),
  /** normal | replay | test | verification */
  kind: text('kind').notNull().default('normal'),
  /** pending | in_flight | succeeded | failed | abandoned */
  status: text('status').notNull(),
  scheduledAt: integer('scheduled_at').notNull(),
  startedAt: integer('started_at'),
  /** Who claimed this attempt (a worker's holder id, unique per process run); null until claimed. */
  claimedBy: text('claimed_by'),
  /** When the holder claimed it: a claim older than the claim timeout is presumed dead and released. */
  claimedAt: integer('claimed_at'),
  finishedAt: integer('finished_at'),
  responseStatus: integer('response_status'),
  latencyMs: integer('latency_ms'),
  responseHeaders: text('response_headers', { mode: 'json' }).$type<Record<string, string>>(),
  responseBody: text('response_body'),
  errorClass: text('error_class'),
  errorMessage: text('error_message'),
}, (table) => [
  index('deliveries_due_idx').on(table.status, table.scheduledAt),
  index('deliveries_endpoint_idx').on(table.endpointId, table.eventSequence),
  index('deliveries_ordering_idx').on(table.endpointId, table.orderingKey, table.eventSequence),
  index('deliveries_event_idx').on(table.eventSequence),
  index('deliveries_endpoint_due_idx').on(table.endpointId, table.status, table.scheduledAt),
  index('deliveries_claimed_idx').on(table.status, table.claimedAt),
  // Open attempts only: "is this the head of its thread?" stays an index probe however long the log grows.
  index('deliveries_open_idx').on(table.endpointId, table.orderingKey, table.eventSequence).where(sql`status in ('pending', 'in_flight')`),
]);


/** Keys of the HTTP API: only a SHA-256 of each key is kept. */
export const apiKeys = sqliteTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name'),
  /** read | write */
  scope: text('scope').notNull(),
  keyHash: text('key_hash').notNull(),
  keyPrefix: text('key_prefix').notNull(),
  createdAt: integer('created_at').notNull(),
  revokedAt: integer('revoked_at'),
}, (table) => [uniqueIndex('api_keys_hash_idx').on(table.keyHash)]);
