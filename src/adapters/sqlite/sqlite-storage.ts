/** Every storage port on one SQLite store: what a composition root hands the use cases. */
import type { Storage } from '../../app/ports/storage.js';
import type { CredentialEnvelopes } from '../../app/ports/credential-envelopes.js';
import type { DeliveryQueue } from '../../app/ports/delivery-queue.js';
import type { SyncCommit } from '../../app/ports/sync-commit.js';
import type { ApiKeys } from '../../app/ports/api-keys.js';
import type { Consumers } from '../../app/ports/consumers.js';
import type { Messages } from '../../app/ports/messages.js';
import type { PushWatches } from '../../app/ports/push-watches.js';
import type { Retention } from '../../app/ports/retention.js';
import type { SqliteStore } from './database.js';
import { sqliteEndpoints } from './sqlite-endpoints.js';
import { sqliteChangeNotifier } from './sqlite-change-notifier.js';
import { sqliteEventLog } from './sqlite-event-log.js';
import { sqliteMailboxes } from './sqlite-mailboxes.js';
import { sqliteSyncRuns } from './sync-runs.js';
import { localDaemons } from './local-daemons.js';
import { sqliteStoreHealth } from './sqlite-store-health.js';

export function sqliteStorage(store: SqliteStore): Storage {
  return {
    mailboxes: sqliteMailboxes(store.sqlite),
    events: sqliteEventLog(store.sqlite),
    apiKeys: lazyApiKeys(store),
    endpoints: sqliteEndpoints(store.sqlite),
    deliveries: lazyDeliveryQueue(store),
    syncCommit: lazySyncCommit(store),
    syncRuns: sqliteSyncRuns(store.sqlite),
    pushWatches: lazyPushWatches(store),
    credentialEnvelopes: lazyCredentialEnvelopes(store),
    daemons: localDaemons(),
    messages: lazyMessages(store),
    retention: lazyRetention(store),
    health: sqliteStoreHealth(store),
    changes: sqliteChangeNotifier(store.sqlite),
    consumers: lazyConsumers(store),
  };
}

/**
 * A port whose adapter module loads on its first call (every method of these ports is async).
 * `methods` names every method: the type makes a port's new method a compile error here.
 */
type AsyncPort<T> = { [K in keyof T]: (...args: never[]) => Promise<unknown> };

function lazyPort<T extends AsyncPort<T>>(load: () => Promise<T>, methods: Record<keyof T, true>): T {
  let port: Promise<T> | undefined;
  type Method = (...args: unknown[]) => Promise<unknown>;
  const call = (name: keyof T): Method => async (...args) => ((await (port ??= load()))[name] as unknown as Method)(...args);
  return Object.fromEntries(Object.keys(methods).map((name) => [name, call(name as keyof T)])) as unknown as T;
}

/** The credential rows: most commands never touch them, so the adapter loads on the first call. */
function lazyCredentialEnvelopes(store: SqliteStore): CredentialEnvelopes {
  return lazyPort(async () => (await import('./sqlite-envelope-rows.js')).sqliteCredentialEnvelopes(store), {
    get: true, list: true, upsert: true, delete: true, replaceAll: true, mailboxesWithoutCredential: true,
  });
}

/** The sync commit (the diff, the thread rules, MIME address parsing, id generation) loads when a sync first needs it, not for every command. */
function lazySyncCommit(store: SqliteStore): SyncCommit {
  return lazyPort(async () => (await import('./sync-store.js')).sqliteSyncCommit(store.sqlite), {
    commit: true, loadLocal: true, markedIds: true, replaceLabels: true, knownLabelIds: true, localLabels: true,
  });
}

/** The delivery queue and its schedule load when deliveries are first read or written. */
function lazyDeliveryQueue(store: SqliteStore): DeliveryQueue {
  return lazyPort(async () => (await import('./sqlite-delivery-queue.js')).sqliteDeliveryQueue(store.sqlite), {
    fanOut: true, claimDue: true, endpointsWithDueWork: true, nextScheduledAfter: true, release: true, recordOutcome: true, releaseStaleClaims: true,
    logAttempt: true, get: true, list: true, attemptsOf: true, retry: true, pendingCount: true, lastError: true, lastDeliveryAt: true,
  });
}

/**
 * The ports only some commands use (API keys, push watches, the message and thread reads,
 * retention, listen's consumers) load on their first call too: `status`, `sync` and the daemon's
 * start-up do without them.
 */
function lazyApiKeys(store: SqliteStore): ApiKeys {
  return lazyPort(async () => (await import('./sqlite-api-keys.js')).sqliteApiKeys(store.sqlite), {
    create: true, findByHash: true, list: true, revoke: true, countActive: true,
  });
}

function lazyPushWatches(store: SqliteStore): PushWatches {
  return lazyPort(async () => (await import('./push-watches.js')).sqlitePushWatches(store.sqlite), {
    get: true, list: true, recordWatched: true, recordFailed: true, recordStopped: true, recordNotified: true,
  });
}

function lazyMessages(store: SqliteStore): Messages {
  return lazyPort(async () => (await import('./sqlite-messages.js')).sqliteMessages(store.sqlite), {
    list: true, get: true, listThreads: true, getThread: true, threadMessages: true,
  });
}

function lazyRetention(store: SqliteStore): Retention {
  return lazyPort(async () => (await import('./sqlite-retention.js')).sqliteRetention(store.sqlite), { pruneOlderThan: true });
}

function lazyConsumers(store: SqliteStore): Consumers {
  return lazyPort(async () => (await import('./consumers.js')).sqliteConsumers(store.sqlite), {
    get: true, list: true, upsert: true, checkpoint: true, threadPositions: true, remove: true, release: true,
  });
}
