/**
 * The delivery log: `deliveries list|show|retry`. `retry` schedules a fresh attempt now for
 * deliveries that gave up (the daemon sends it); it never duplicates an open or delivered one.
 */
import type Database from 'better-sqlite3';
import { MailmonError } from '../core/errors.js';
import { DeliveryRepository, type DeliveryQuery, type DeliveryRow } from '../adapters/sqlite/delivery-repository.js';

export type { DeliveryStatusFilter } from '../adapters/sqlite/delivery-repository.js';
import { requireEndpoint } from './endpoint-target.js';

export function listDeliveries(sqlite: Database.Database, query: DeliveryQuery): DeliveryRow[] {
  if (query.endpointId) requireEndpoint(sqlite, query.endpointId);
  return new DeliveryRepository(sqlite).list(query);
}

export interface DeliveryDetails extends DeliveryRow {
  /** Every attempt of the same event to the same endpoint, oldest first. */
  attempts: Array<Pick<DeliveryRow, 'id' | 'attempt' | 'status' | 'responseStatus' | 'errorClass' | 'scheduledAt' | 'finishedAt'>>;
}

export function showDelivery(sqlite: Database.Database, id: string): DeliveryDetails {
  const repo = new DeliveryRepository(sqlite);
  const row = repo.get(id);
  if (!row) throw new MailmonError('not_found', `No delivery ${id}.`, { hint: 'List deliveries with "mailmon deliveries list".' });
  const attempts = row.kind === 'normal' ? repo.attemptsOf(row.endpointId, row.eventSequence) : [row];
  return { ...row, attempts: attempts.map(({ id: attemptId, attempt, status, responseStatus, errorClass, scheduledAt, finishedAt }) => ({ id: attemptId, attempt, status, responseStatus, errorClass, scheduledAt, finishedAt })) };
}

export function retryDeliveries(sqlite: Database.Database, input: { deliveryId?: string; endpointId?: string }, now: number, newDeliveryId: () => string): { scheduled: string[] } {
  if (input.deliveryId) {
    const row = new DeliveryRepository(sqlite).get(input.deliveryId);
    if (!row) throw new MailmonError('not_found', `No delivery ${input.deliveryId}.`, { hint: 'List failed deliveries with "mailmon deliveries list --status failed".' });
    if (row.kind !== 'normal') throw new MailmonError('usage', `Delivery ${row.id} is a ${row.kind} attempt; only event deliveries can be retried.`);
  } else if (input.endpointId) {
    requireEndpoint(sqlite, input.endpointId);
  } else {
    throw new MailmonError('usage', 'Say which deliveries to retry.', { hint: 'Pass a delivery id, or --endpoint ID --failed.' });
  }
  return { scheduled: new DeliveryRepository(sqlite).retry(input, now, newDeliveryId) };
}
