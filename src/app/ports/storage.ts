/**
 * Everything the use cases keep durably, one port per role. A process's composition root builds
 * one Storage (SQLite today) and hands each use case the ports it asks for, e.g.
 * `Pick<Storage, 'mailboxes' | 'events'>`.
 */
import type { ChangeNotifier } from './change-notifier.js';
import type { Consumers } from './consumers.js';
import type { EventLog } from './event-log.js';
import type { Mailboxes } from './mailboxes.js';

export interface Storage {
  mailboxes: Mailboxes;
  events: EventLog;
  /** Wakes readers of `events` when the log may have grown. */
  changes: ChangeNotifier;
  consumers: Consumers;
}
