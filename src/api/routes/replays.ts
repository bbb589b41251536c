/** `POST /v1/replays` (re-send a window of the log to an endpoint or a URL, in the background) and `GET /v1/replays/{id}` (poll it). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { ReplayJob as Job, ReplayJobs } from '../../app/replay-jobs.js';
import { ApiError } from '../errors.js';
import { NewReplayBody, ReplayJob, actionErrorResponses, errorResponses } from '../schemas.js';

export interface ReplayRoutesOptions {
  replays: ReplayJobs;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const replayView = (job: Job): Static<typeof ReplayJob> => ({ ...job, object: 'replay', createdAt: iso(job.createdAt)!, finishedAt: iso(job.finishedAt) });

export const replayRoutes: FastifyPluginAsyncTypebox<ReplayRoutesOptions> = async (app, { replays }) => {
  app.post('/v1/replays', {
    config: { scope: 'write' },
    schema: {
      operationId: 'createReplay',
      summary: 'Replay a window of the event log to an endpoint or a URL',
      description: 'Same event ids, fresh signatures, in sequence order. Answers at once (202) with the job; poll GET /v1/replays/{id}.',
      tags: ['replays'],
      body: NewReplayBody,
      response: { 202: ReplayJob, ...actionErrorResponses },
    },
  }, async (request, reply) => {
    const { start, end, mailboxId, events, endpointId, url } = request.body;
    const job = await replays.start({ since: Date.parse(start), until: end === undefined ? undefined : Date.parse(end), mailbox: mailboxId, events, endpointId, url });
    return reply.code(202).send(replayView(job));
  });

  app.get('/v1/replays/:id', {
    config: { scope: 'read' },
    schema: { operationId: 'getReplay', summary: 'A replay job', tags: ['replays'], params: Type.Object({ id: Type.String() }), response: { 200: ReplayJob, ...errorResponses } },
  }, async (request) => {
    const job = replays.get(request.params.id);
    if (!job) throw new ApiError(404, 'not_found', `No replay "${request.params.id}".`, 'Replay jobs are kept in memory by the process serving the API until it stops.');
    return replayView(job);
  });
};
