/**
 * `GET /v1/events/stream`: Server-Sent Events. Catches up from the cursor (`Last-Event-ID`,
 * else `after`, else the current head), then follows the log live. Each SSE id is the event's
 * sequence, so a client that reconnects with the last id it saw misses nothing and sees
 * nothing twice. Wake-ups come from the injected `waitForChange`; after each one the log is read
 * again, and never less often than `recheckMs`, so a change that lands between the last read and
 * the wait is not left waiting for the next one.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { Type } from 'typebox';
import type { EventFilter } from '../../app/ports/event-log.js';
import type { Storage } from '../../app/ports/storage.js';
import { eventFilterOf, parseCursor, readEventPage } from '../event-reader.js';
import { errorResponses } from '../schemas.js';

export type WaitForChange = (timeoutMs: number, signal: AbortSignal) => Promise<void>;

export interface StreamRoutesOptions {
  storage: Pick<Storage, 'mailboxes' | 'events'>;
  waitForChange: WaitForChange;
  /** Longest wait between two reads of the log. */
  recheckMs?: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  keepAliveMs?: number;
  /** Aborts every open stream (server shutdown). */
  closing: AbortSignal;
  /** A failed read of the log ends that stream (the client reconnects) and is reported here. */
  onError: (error: unknown) => void;
}

const BATCH = 500;

export const streamRoutes: FastifyPluginAsyncTypebox<StreamRoutesOptions> = async (app, options) => {
  app.get('/v1/events/stream', {
    config: { scope: 'read' },
    schema: {
      operationId: 'streamEvents',
      summary: 'Follow the event log live (Server-Sent Events)',
      description: 'Each message: `id` = the event sequence, `event` = its type, `data` = the event JSON. Resume with the `Last-Event-ID` header (it wins over `after`). Without either, starts at the current head (only new events).',
      tags: ['events'],
      querystring: Type.Object({
        after: Type.Optional(Type.String({ pattern: '^\\d+$', description: 'Start after this sequence (0 = the beginning)' })),
        type: Type.Optional(Type.String({ description: 'Event types or patterns, comma-separated' })),
        mailboxId: Type.Optional(Type.String()),
      }, { additionalProperties: false }),
      headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ pattern: '^\\d+$' })) }),
      response: { 200: { description: 'An endless text/event-stream', content: { 'text/event-stream': { schema: Type.String() } } }, ...errorResponses },
    },
  }, async (request, reply) => {
    const filter = await eventFilterOf(options.storage.mailboxes, request.query);
    const resume = request.headers['last-event-id'] ?? request.query.after;
    const cursor = resume === undefined ? await options.storage.events.head() : parseCursor(resume);
    const stop = new AbortController();
    const abort = () => stop.abort();
    request.raw.on('close', abort);
    options.closing.addEventListener('abort', abort, { once: true });
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    // The starting position as an id without data: a client that drops before the first event
    // resumes from here, not from a later head.
    reply.raw.write(`: connected\nid: ${cursor}\n\n`);
    try {
      await follow(options, reply.raw, { cursor, filter, signal: stop.signal });
    } catch (error) {
      options.onError(error);
    } finally {
      options.closing.removeEventListener('abort', abort);
      reply.raw.end();
    }
  });
};

async function follow(options: StreamRoutesOptions, out: ServerResponse, state: { cursor: number; filter: EventFilter; signal: AbortSignal }): Promise<void> {
  const recheckMs = options.recheckMs ?? 1_000;
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  let idleSince = Date.now();
  while (!state.signal.aborted) {
    const page = await readEventPage(options.storage.events, state.cursor, BATCH, state.filter);
    for (const event of page.events) await send(out, `id: ${event.sequence}\nevent: ${event.type}\n${dataLines(event.body)}\n\n`, state.signal);
    state.cursor = page.cursor;
    if (page.events.length > 0) idleSince = Date.now();
    if (!page.caughtUp) continue;
    if (Date.now() - idleSince >= keepAliveMs) {
      out.write(': keep-alive\n\n');
      idleSince = Date.now();
    }
    await options.waitForChange(recheckMs, state.signal);
  }
}

/** SSE data lines: a line break inside the payload would otherwise end the field. */
function dataLines(body: string): string {
  return body.split(/\r?\n/).map((line) => `data: ${line}`).join('\n');
}

/** Writes, waiting for a slow client to drain rather than buffering the whole log in memory. */
async function send(out: ServerResponse, chunk: string, signal: AbortSignal): Promise<void> {
  if (out.write(chunk) || signal.aborted) return;
  await once(out, 'drain', { signal }).catch(() => undefined);
}
