/** `GET /v1/events` (cursor pages) and `GET /v1/events/{id}`: the durable event log. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Storage } from '../../app/ports/storage.js';
import { ApiError } from '../errors.js';
import { eventFilterOf, parseCursor, readEventPage } from '../event-reader.js';
import { Event, EventQuery, errorResponses, page } from '../schemas.js';
import { eventView } from '../views.js';

export interface EventRoutesOptions {
  storage: Pick<Storage, 'mailboxes' | 'events'>;
}

export const eventRoutes: FastifyPluginAsyncTypebox<EventRoutesOptions> = async (app, { storage }) => {
  app.get('/v1/events', {
    config: { scope: 'read' },
    schema: {
      operationId: 'listEvents',
      summary: 'Events after a cursor, oldest first',
      description: 'Pages end at the log head: a page never skips an event that could still appear below it. `nextCursor` is null once caught up; poll again with the last cursor (or use /v1/events/stream).',
      tags: ['events'],
      querystring: EventQuery,
      response: { 200: page(Event), ...errorResponses },
    },
  }, async (request) => {
    const filter = await eventFilterOf(storage.mailboxes, request.query);
    const result = await readEventPage(storage.events, parseCursor(request.query.after), request.query.limit ?? 100, filter);
    return { data: result.events.map(eventView), nextCursor: result.caughtUp ? null : String(result.cursor) };
  });

  app.get('/v1/events/:id', {
    config: { scope: 'read' },
    schema: {
      operationId: 'getEvent',
      summary: 'One event, by id (evt_…) or sequence',
      tags: ['events'],
      params: Type.Object({ id: Type.String() }),
      response: { 200: Event, ...errorResponses },
    },
  }, async (request) => {
    const event = await storage.events.get(request.params.id);
    if (!event) throw new ApiError(404, 'not_found', `No event "${request.params.id}".`, 'Use an id (evt_…) or a sequence number from GET /v1/events.');
    return eventView(event);
  });
};
