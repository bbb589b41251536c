/** `GET /v1/deliveries`, `GET /v1/deliveries/{id}` and `POST /v1/deliveries/{id}/retry`: the delivery log of registered endpoints. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listDeliveries, retryDeliveries, showDelivery } from '../../app/delivery-queries.js';
import type { Storage } from '../../app/ports/storage.js';
import { ApiError } from '../errors.js';
import { Delivery, DeliveryQuery, DeliveryRetry, actionErrorResponses, errorResponses, page } from '../schemas.js';
import { deliveryView } from '../views.js';

export interface DeliveryRoutesOptions {
  storage: Pick<Storage, 'endpoints' | 'deliveries'>;
  now: () => number;
  newDeliveryId: () => string;
  /** A retry was scheduled: the delivery worker should look now. */
  onDeliveriesChanged: () => void;
}

const Params = Type.Object({ id: Type.String({ pattern: '^dlv_' }) });

export const deliveryRoutes: FastifyPluginAsyncTypebox<DeliveryRoutesOptions> = async (app, options) => {
  const { storage } = options;
  app.get('/v1/deliveries', {
    config: { scope: 'read' },
    schema: {
      operationId: 'listDeliveries',
      summary: 'Delivery attempts, newest first',
      description: 'The latest `limit` attempts that match: `nextCursor` is always null (narrow with `since`).',
      tags: ['deliveries'],
      querystring: DeliveryQuery,
      response: { 200: page(Delivery), ...errorResponses },
    },
  }, async (request) => {
    const { endpointId, status, since, limit } = request.query;
    const sinceMs = since === undefined ? undefined : Date.parse(since);
    if (sinceMs !== undefined && Number.isNaN(sinceMs)) throw new ApiError(400, 'bad_request', `Invalid time "${since}".`, 'Pass an ISO 8601 date-time.');
    const rows = await listDeliveries(storage, { endpointId, status, since: sinceMs, limit: limit ?? 100 });
    return { data: rows.map(deliveryView), nextCursor: null };
  });

  app.get('/v1/deliveries/:id', {
    config: { scope: 'read' },
    schema: { operationId: 'getDelivery', summary: 'One delivery attempt', tags: ['deliveries'], params: Params, response: { 200: Delivery, ...errorResponses } },
  }, async (request) => deliveryView(await showDelivery(storage, request.params.id)));

  app.post('/v1/deliveries/:id/retry', {
    config: { scope: 'write' },
    schema: {
      operationId: 'retryDelivery',
      summary: 'Schedule a fresh attempt now for a delivery that gave up',
      description: 'Nothing is scheduled when the event already has an open or delivered attempt to that endpoint.',
      tags: ['deliveries'],
      params: Params,
      response: { 200: DeliveryRetry, ...actionErrorResponses },
    },
  }, async (request) => {
    const { scheduled } = await retryDeliveries(storage, { deliveryId: request.params.id }, options.now(), options.newDeliveryId);
    if (scheduled.length > 0) options.onDeliveriesChanged();
    return { object: 'delivery_retry' as const, deliveryId: request.params.id, scheduled };
  });
};
