/**
 * `mailmon consumers list|remove`: the durable cursors `listen` keeps (one per forward target).
 * A consumer whose listen is gone stays until removed; one whose listen still runs cannot be
 * removed (it would be recreated at once, from a different position).
 */
import type Database from 'better-sqlite3';
import { MailmonError } from '../core/errors.js';
import { Consumers } from '../adapters/sqlite/consumers.js';
import { EventLog } from '../adapters/sqlite/event-log.js';
import { pidAlive } from '../adapters/system/pid-file.js';

export interface ConsumerView {
  /** The consumer's name is its id. */
  id: string;
  name: string;
  kind: string;
  /** Where its listen forwards events (null when it only prints them). */
  target: string | null;
  /** The last event sequence it handled. */
  lastSequence: number;
  /** Events in the log after its position. */
  behind: number;
  /** A listen process holds it right now. */
  active: boolean;
  pid: number | null;
  lastActiveAt: number | null;
  createdAt: number;
}

export function listConsumers(sqlite: Database.Database, isAlive: (pid: number) => boolean = pidAlive): ConsumerView[] {
  const maxSequence = new EventLog(sqlite).maxSequence();
  return new Consumers(sqlite).list().map((row) => {
    const active = row.pid !== null && isAlive(row.pid);
    return {
      id: row.name, name: row.name, kind: row.kind, target: row.target, lastSequence: row.lastSequence,
      behind: Math.max(0, maxSequence - row.lastSequence), active, pid: active ? row.pid : null,
      lastActiveAt: row.heartbeatAt ?? row.updatedAt, createdAt: row.createdAt,
    };
  });
}

export function findConsumer(sqlite: Database.Database, name: string, isAlive: (pid: number) => boolean = pidAlive): ConsumerView {
  const found = listConsumers(sqlite, isAlive).find((consumer) => consumer.name === name);
  if (!found) throw new MailmonError('not_found', `No consumer "${name}".`, { hint: 'List them with "mailmon consumers list".' });
  return found;
}

export function removeConsumer(sqlite: Database.Database, name: string, isAlive: (pid: number) => boolean = pidAlive): { id: string; name: string; removed: true } {
  const consumer = findConsumer(sqlite, name, isAlive);
  if (consumer.active) {
    throw new MailmonError('lease_held', `Consumer "${name}" is in use by a running listen (pid ${consumer.pid}).`, { hint: 'Stop that listen (Ctrl-C) first, then remove the consumer.' });
  }
  new Consumers(sqlite).remove(name);
  return { id: name, name, removed: true };
}
