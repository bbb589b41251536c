/** `GET /v1/messages`, `/v1/messages/{id}`, `/v1/threads`, `/v1/threads/{id}`: the synced messages and threads, newest first. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { messagePage, showMessage, showThread, threadPage, type MessageView, type Page, type ThreadView } from '../../app/message-queries.js';
import type { Storage } from '../../app/ports/storage.js';
import { Message, MessageQuery, Thread, ThreadQuery, ThreadWithMessages, errorResponses, page } from '../schemas.js';

export interface MessageRoutesOptions {
  storage: Pick<Storage, 'messages' | 'mailboxes'>;
}

const messageView = (message: MessageView): Static<typeof Message> => ({ ...message, object: 'message' });
const threadView = ({ threadId: _threadId, ...thread }: ThreadView): Static<typeof Thread> => ({ ...thread, object: 'thread' });

function pageOf<T, V>(result: Page<T>, view: (row: T) => V): { data: V[]; nextCursor: string | null } {
  return { data: result.data.map(view), nextCursor: result.nextCursor };
}

export const messageRoutes: FastifyPluginAsyncTypebox<MessageRoutesOptions> = async (app, { storage }) => {
  app.get('/v1/messages', {
    config: { scope: 'read' },
    schema: { operationId: 'listMessages', summary: 'Messages, newest first', tags: ['messages'], querystring: MessageQuery, response: { 200: page(Message), ...errorResponses } },
  }, async (request) => {
    const { after, limit = 100, mailboxId, labelId, threadId, q } = request.query;
    return pageOf(await messagePage(storage, { mailbox: mailboxId, label: labelId, thread: threadId, text: q, after, limit }), messageView);
  });

  app.get('/v1/messages/:id', {
    config: { scope: 'read' },
    schema: { operationId: 'getMessage', summary: "One message, by id (msg_…) or Gmail's id", tags: ['messages'], params: Type.Object({ id: Type.String() }), response: { 200: Message, ...errorResponses } },
  }, async (request) => messageView(await showMessage(storage, request.params.id)));

  app.get('/v1/threads', {
    config: { scope: 'read' },
    schema: { operationId: 'listThreads', summary: 'Threads, newest message first', tags: ['messages'], querystring: ThreadQuery, response: { 200: page(Thread), ...errorResponses } },
  }, async (request) => {
    const { after, limit = 100, mailboxId, labelId, q } = request.query;
    return pageOf(await threadPage(storage, { mailbox: mailboxId, label: labelId, text: q, after, limit }), threadView);
  });

  app.get('/v1/threads/:id', {
    config: { scope: 'read' },
    schema: { operationId: 'getThread', summary: "One thread with its messages, by id (thr_…) or Gmail's id", tags: ['messages'], params: Type.Object({ id: Type.String() }), response: { 200: ThreadWithMessages, ...errorResponses } },
  }, async (request) => {
    const { messages, ...thread } = await showThread(storage, request.params.id);
    return { ...threadView(thread), messages: messages.map(messageView) };
  });
};
