/**
 * Everything the use cases keep durably, one port per role. A process's composition root builds
 * one Storage (SQLite today) and hands each use case the ports it asks for, e.g.
 * `Pick<Storage, 'mailboxes' | 'events'>`.
 */
import type { EventLog } from './event-log.js';
import type { Mailboxes } from './mailboxes.js';
import type { Messages } from './messages.js';
import type { Retention } from './retention.js';
import type { StoreHealth } from './store-health.js';

export interface Storage {
  mailboxes: Mailboxes;
  events: EventLog;
  messages: Messages;
  retention: Retention;
  health: StoreHealth;
}
