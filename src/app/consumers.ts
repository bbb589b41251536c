/**
 * `mailmon consumers list|remove`: the durable cursors `listen` keeps (one per forward target).
 * A consumer whose listen is gone stays until removed; one whose listen still runs cannot be
 * removed (it would be recreated at once, from a different position).
 */
import { MailmonError } from '../core/errors.js';
import type { Storage } from './ports/storage.js';

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

export interface ConsumerDeps extends Pick<Storage, 'consumers' | 'events'> {
  /** Whether the process holding a consumer still runs. */
  isAlive: (pid: number) => boolean;
}

export async function listConsumers(deps: ConsumerDeps): Promise<ConsumerView[]> {
  const head = await deps.events.head();
  return (await deps.consumers.list()).map((row) => {
    const active = row.pid !== null && deps.isAlive(row.pid);
    return {
      id: row.name, name: row.name, kind: row.kind, target: row.target, lastSequence: row.lastSequence,
      behind: Math.max(0, head - row.lastSequence), active, pid: active ? row.pid : null,
      lastActiveAt: row.heartbeatAt ?? row.updatedAt, createdAt: row.createdAt,
    };
  });
}

export async function findConsumer(deps: ConsumerDeps, name: string): Promise<ConsumerView> {
  const found = (await listConsumers(deps)).find((consumer) => consumer.name === name);
  if (!found) throw new MailmonError('not_found', `No consumer "${name}".`, { hint: 'List them with "mailmon consumers list".' });
  return found;
}

export async function removeConsumer(deps: ConsumerDeps, name: string): Promise<{ id: string; name: string; removed: true }> {
  const consumer = await findConsumer(deps, name);
  if (consumer.active) {
    throw new MailmonError('lease_held', `Consumer "${name}" is in use by a running listen (pid ${consumer.pid}).`, { hint: 'Stop that listen (Ctrl-C) first, then remove the consumer.' });
  }
  await deps.consumers.remove(name);
  return { id: name, name, removed: true };
}
