/**
 * `GET /v1/mailboxes/{id}/sync-runs` (the run journal, newest first) and
 * `POST /v1/mailboxes/{id}/sync`: a wake-up. The sync itself runs in the daemon; the answer
 * comes at once with the mailbox's last run, and the caller polls the journal for the next one.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Clock } from '../../app/ports/clock.js';
import type { Storage } from '../../app/ports/storage.js';
import { Limit, SyncRequest, SyncRun, actionErrorResponses, errorResponses, page } from '../schemas.js';
import { syncRunView } from '../views.js';
import { requireMailbox } from './mailboxes.js';

/** Wakes the daemon's sync of one mailbox; throws `daemon_not_running` when no daemon can be asked. */
export type RequestSync = (mailboxId: string) => Promise<void>;

export interface SyncRunRoutesOptions {
  storage: Pick<Storage, 'mailboxes' | 'syncRuns'>;
  requestSync: RequestSync;
  clock: Pick<Clock, 'now'>;
}

const MailboxParams = Type.Object({ id: Type.String({ description: 'mbx_… or the email address' }) });

export const syncRunRoutes: FastifyPluginAsyncTypebox<SyncRunRoutesOptions> = async (app, { storage, requestSync, clock }) => {
  app.get('/v1/mailboxes/:id/sync-runs', {
    config: { scope: 'read' },
    schema: {
      operationId: 'listSyncRuns',
      summary: "A mailbox's latest sync runs, newest first",
      description: 'The journal keeps the latest runs only: `nextCursor` is always null.',
      tags: ['mailboxes'],
      params: MailboxParams,
      querystring: Type.Object({ limit: Type.Optional(Limit) }, { additionalProperties: false }),
      response: { 200: page(SyncRun), ...errorResponses },
    },
  }, async (request) => {
    const mailbox = await requireMailbox(storage.mailboxes, request.params.id);
    const runs = await storage.syncRuns.latest(mailbox.id, request.query.limit ?? 100);
    return { data: runs.map(syncRunView), nextCursor: null };
  });

  app.post('/v1/mailboxes/:id/sync', {
    config: { scope: 'write' },
    schema: {
      operationId: 'requestSync',
      summary: 'Wake the daemon to sync a mailbox now',
      description: 'Answers at once (202). 503 `daemon_not_running` when no daemon runs for this home.',
      tags: ['mailboxes'],
      params: MailboxParams,
      response: { 202: SyncRequest, ...actionErrorResponses },
    },
  }, async (request, reply) => {
    const mailbox = await requireMailbox(storage.mailboxes, request.params.id);
    const requestedAt = clock.now();
    const [lastRun] = await storage.syncRuns.latest(mailbox.id, 1);
    await requestSync(mailbox.id);
    return reply.code(202).send({ object: 'sync_request' as const, mailboxId: mailbox.id, requestedAt: new Date(requestedAt).toISOString(), lastRun: lastRun ? syncRunView(lastRun) : null });
  });
};
