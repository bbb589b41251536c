/** `GET /v1/mailboxes` and `GET /v1/mailboxes/{id}`: the connected mailboxes and their sync state. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { MailboxRow } from '../../app/ports/mailboxes.js';
import type { Storage } from '../../app/ports/storage.js';
import { ApiError } from '../errors.js';
import { Limit, Mailbox, errorResponses, page } from '../schemas.js';
import { mailboxView } from '../views.js';

export interface MailboxRoutesOptions {
  storage: Pick<Storage, 'mailboxes'>;
}

export const mailboxRoutes: FastifyPluginAsyncTypebox<MailboxRoutesOptions> = async (app, { storage }) => {
  const { mailboxes } = storage;
  app.get('/v1/mailboxes', {
    config: { scope: 'read' },
    schema: {
      operationId: 'listMailboxes',
      summary: 'List mailboxes, oldest first',
      tags: ['mailboxes'],
      querystring: Type.Object({ after: Type.Optional(Type.String({ description: 'A cursor: the id of the last mailbox of the previous page' })), limit: Type.Optional(Limit) }, { additionalProperties: false }),
      response: { 200: page(Mailbox), ...errorResponses },
    },
  }, async (request) => {
    const limit = request.query.limit ?? 100;
    const all = await mailboxes.list();
    const start = request.query.after === undefined ? 0 : all.findIndex((row) => row.id === request.query.after) + 1;
    if (start === 0 && request.query.after !== undefined) throw new ApiError(400, 'bad_request', `Unknown cursor "${request.query.after}".`, 'Pass the nextCursor of the previous page.');
    const rows = all.slice(start, start + limit);
    const more = start + limit < all.length;
    return { data: await Promise.all(rows.map((row) => mailboxView(row, mailboxes))), nextCursor: more ? rows[rows.length - 1].id : null };
  });

  app.get('/v1/mailboxes/:id', {
    config: { scope: 'read' },
    schema: {
      operationId: 'getMailbox',
      summary: 'One mailbox, by id or email address',
      tags: ['mailboxes'],
      params: Type.Object({ id: Type.String({ description: 'mbx_… or the email address' }) }),
      response: { 200: Mailbox, ...errorResponses },
    },
  }, async (request) => {
    return mailboxView(await requireMailbox(mailboxes, request.params.id), mailboxes);
  });
};

/** A mailbox by id or email address, or the API's 404. */
export async function requireMailbox(mailboxes: Pick<Storage['mailboxes'], 'get' | 'findByAddress'>, id: string): Promise<MailboxRow> {
  const row = (await mailboxes.get(id)) ?? (id.includes('@') ? await mailboxes.findByAddress(id) : undefined);
  if (!row) throw new ApiError(404, 'mailbox_not_found', `No mailbox "${id}".`, 'List them with GET /v1/mailboxes.');
  return row;
}
