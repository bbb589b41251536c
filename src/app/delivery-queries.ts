/**
 * The delivery log: `deliveries list|show|retry`. `retry` schedules a fresh attempt now for
 * deliveries that gave up (the daemon sends it); it never duplicates an open or delivered one.
 */
import { MailmonError } from '../core/errors.js';
import type { DeliveryQuery, DeliveryRow } from './ports/delivery-queue.js';
import type { Storage } from './ports/storage.js';
import { requireEndpoint } from './endpoint-target.js';

export type { DeliveryStatusFilter } from './ports/delivery-queue.js';

type DeliveryStorage = Pick<Storage, 'endpoints' | 'deliveries'>;

export async function listDeliveries(storage: DeliveryStorage, query: DeliveryQuery): Promise<DeliveryRow[]> {
  if (query.endpointId) await requireEndpoint(storage.endpoints, query.endpointId);
  return storage.deliveries.list(query);
}

export interface DeliveryDetails extends DeliveryRow {
  /** Every attempt of the same event to the same endpoint, oldest first. */
  attempts: Array<Pick<DeliveryRow, 'id' | 'attempt' | 'status' | 'responseStatus' | 'errorClass' | 'scheduledAt' | 'finishedAt'>>;
}

export async function showDelivery(storage: Pick<Storage, 'deliveries'>, id: string): Promise<DeliveryDetails> {
  const row = await storage.deliveries.get(id);
  if (!row) throw new MailmonError('not_found', `No delivery ${id}.`, { hint: 'List deliveries with "mailmon deliveries list".' });
  const attempts = row.kind === 'normal' ? await storage.deliveries.attemptsOf(row.endpointId, row.eventSequence) : [row];
  return { ...row, attempts: attempts.map(({ id: attemptId, attempt, status, responseStatus, errorClass, scheduledAt, finishedAt }) => ({ id: attemptId, attempt, status, responseStatus, errorClass, scheduledAt, finishedAt })) };
}

export async function retryDeliveries(storage: DeliveryStorage, input: { deliveryId?: string; endpointId?: string }, now: number, newDeliveryId: () => string): Promise<{ scheduled: string[] }> {
  if (input.deliveryId) {
    const row = await storage.deliveries.get(input.deliveryId);
    if (!row) throw new MailmonError('not_found', `No delivery ${input.deliveryId}.`, { hint: 'List failed deliveries with "mailmon deliveries list --status failed".' });
    if (row.kind !== 'normal') throw new MailmonError('usage', `Delivery ${row.id} is a ${row.kind} attempt; only event deliveries can be retried.`);
  } else if (input.endpointId) {
    await requireEndpoint(storage.endpoints, input.endpointId);
  } else {
    throw new MailmonError('usage', 'Say which deliveries to retry.', { hint: 'Pass a delivery id, or --endpoint ID --failed.' });
  }
  return { scheduled: await storage.deliveries.retry(input, now, newDeliveryId) };
}
