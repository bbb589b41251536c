/**
 * Everything the use cases keep durably, one port per role. A process's composition root builds
 * one Storage (SQLite today) and hands each use case the ports it asks for, e.g.
 * `Pick<Storage, 'mailboxes' | 'events'>`.
 */
import type { ApiKeys } from './api-keys.js';
import type { CredentialEnvelopes } from './credential-envelopes.js';
import type { Daemons } from './daemons.js';
import type { DeliveryQueue } from './delivery-queue.js';
import type { Endpoints } from './endpoints.js';
import type { ChangeNotifier } from './change-notifier.js';
import type { Consumers } from './consumers.js';
import type { EventLog } from './event-log.js';
import type { Mailboxes } from './mailboxes.js';
import type { PushWatches } from './push-watches.js';
import type { SyncCommit } from './sync-commit.js';
import type { SyncRuns } from './sync-runs.js';
import type { Messages } from './messages.js';
import type { Retention } from './retention.js';
import type { StoreHealth } from './store-health.js';

export interface Storage {
  mailboxes: Mailboxes;
  events: EventLog;
  apiKeys: ApiKeys;
  endpoints: Endpoints;
  deliveries: DeliveryQueue;
  syncCommit: SyncCommit;
  syncRuns: SyncRuns;
  pushWatches: PushWatches;
  credentialEnvelopes: CredentialEnvelopes;
  daemons: Daemons;
  messages: Messages;
  retention: Retention;
  health: StoreHealth;
  /** Wakes readers of `events` when the log may have grown. */
  changes: ChangeNotifier;
  consumers: Consumers;
}
