/** The DeliveryQueue port on SQLite (src/app/ports/delivery-queue.ts). */
import type Database from 'better-sqlite3';
import type { DeliveryQueue } from '../../app/ports/delivery-queue.js';
import { DeliveryRepository } from './delivery-repository.js';

export function sqliteDeliveryQueue(sqlite: Database.Database): DeliveryQueue {
  const repository = new DeliveryRepository(sqlite);
  return {
    fanOut: async (now, newDeliveryId, batch) => repository.fanOut(now, newDeliveryId, batch),
    claimDue: async (claim) => repository.claimDue(claim),
    endpointsWithDueWork: async (now) => repository.endpointsWithDueWork(now),
    nextScheduledAfter: async (now) => repository.nextScheduledAfter(now),
    release: async (id, holder) => repository.release(id, holder),
    recordOutcome: async (outcome) => repository.recordOutcome(outcome),
    releaseStaleClaims: async (input) => repository.releaseStaleClaims(input),
    logAttempt: async (row) => repository.logAttempt(row),
    get: async (id) => repository.get(id),
    list: async (query) => repository.list(query),
    attemptsOf: async (endpointId, eventSequence) => repository.attemptsOf(endpointId, eventSequence),
    retry: async (input, now, newDeliveryId) => repository.retry(input, now, newDeliveryId),
    pendingCount: async (endpointId) => repository.pendingCount(endpointId),
    lastError: async (endpointId) => repository.lastError(endpointId),
    lastDeliveryAt: async (endpointId) => repository.lastDeliveryAt(endpointId),
  };
}
