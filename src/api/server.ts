/**
 * The HTTP API as a fastify instance, built on ports only (it runs the same on any store).
 * Requests are validated against the route schemas (400 on mismatch), every JSON response is
 * checked against its schema before it is sent (a mismatch is a 500, never a silently wrong
 * body), and the OpenAPI 3.1 document is generated from the same schemas.
 */
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { Compile } from 'typebox/compile';
import type { TSchema } from 'typebox';
import { noMetrics } from '../app/ports/metrics.js';
import type { ReplayJobs } from '../app/replay-jobs.js';
import type { Storage } from '../app/ports/storage.js';
import { installAuth } from './auth.js';
import { installErrorHandlers } from './errors.js';
import type { MetricsRegistry } from './metrics.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { endpointRoutes, type WebhookDeps } from './routes/endpoints.js';
import { eventRoutes } from './routes/events.js';
import { mailboxRoutes } from './routes/mailboxes.js';
import { messageRoutes } from './routes/messages.js';
import { replayRoutes } from './routes/replays.js';
import { streamRoutes } from './routes/stream.js';
import { syncRunRoutes, type RequestSync } from './routes/sync-runs.js';
import { systemRoutes } from './routes/system.js';

export interface ApiDeps {
  storage: Pick<Storage, 'mailboxes' | 'events' | 'changes' | 'apiKeys' | 'syncRuns' | 'endpoints' | 'deliveries' | 'messages'>;
  metrics: MetricsRegistry;
  /** Wakes the daemon's sync of a mailbox (in-process when the daemon serves the API). */
  requestSync: RequestSync;
  /** What the webhook use cases need beside the storage: the vault, the sender, ids, the clock. */
  webhooks: Omit<WebhookDeps, 'storage'>;
  /** Replays started through the API, run in this process. */
  replays: ReplayJobs;
  /** Endpoints or deliveries changed through the API: wake the delivery worker. */
  onDeliveriesChanged?: () => void;
  version: string;
  /** Unexpected failures (500s), for the process log. */
  onInternalError?: (error: unknown) => void;
  /** Longest wait between two reads of the log in an event stream. */
  streamRecheckMs?: number;
}

export type Api = FastifyInstance & { closing: AbortController };

export async function buildApi(deps: ApiDeps): Promise<Api> {
  const app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false } } }).withTypeProvider<TypeBoxTypeProvider>();
  const closing = new AbortController();
  // Open event streams end when the server closes, or close() would wait for them forever.
  app.addHook('onClose', async () => closing.abort());
  app.setSerializerCompiler(({ schema }) => checkedSerializer(schema as TSchema));
  const onInternalError = deps.onInternalError ?? (() => undefined);
  installErrorHandlers(app, onInternalError);
  installAuth(app, deps.storage.apiKeys);
  await app.register(swagger, openApiOptions(deps.version));
  await app.register(systemRoutes, { version: deps.version, metrics: deps.metrics });
  await app.register(mailboxRoutes, { storage: deps.storage });
  await app.register(eventRoutes, { storage: deps.storage });
  await app.register(messageRoutes, { storage: deps.storage });
  const onDeliveriesChanged = deps.onDeliveriesChanged ?? (() => undefined);
  await app.register(syncRunRoutes, { storage: deps.storage, requestSync: deps.requestSync, clock: { now: deps.webhooks.now } });
  await app.register(endpointRoutes, { webhooks: { ...deps.webhooks, storage: deps.storage }, onDeliveriesChanged });
  await app.register(replayRoutes, { replays: deps.replays });
  await app.register(deliveryRoutes, { storage: deps.storage, now: deps.webhooks.now, newDeliveryId: () => deps.webhooks.ids('dlv'), onDeliveriesChanged });
  // Marked when the wait starts: a commit between the stream's read and its wait is caught by the recheck.
  const waitForChange = async (timeoutMs: number, signal: AbortSignal) => deps.storage.changes.waitForChange(await deps.storage.changes.mark(), timeoutMs, signal);
  await app.register(streamRoutes, { storage: deps.storage, waitForChange, recheckMs: deps.streamRecheckMs, closing: closing.signal, onError: onInternalError });
  return Object.assign(app, { closing });
}

function checkedSerializer(schema: TSchema): (data: unknown) => string {
  const validator = Compile(schema);
  return (data) => {
    if (!validator.Check(data)) {
      const first = validator.Errors(data)[0];
      throw new Error(`Response does not match its schema: ${first?.instancePath ?? ''} ${first?.message ?? ''}`);
    }
    return JSON.stringify(data);
  };
}

function openApiOptions(version: string) {
  return {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'mailmon API', version, description: 'Read the synced mailboxes and follow the event log. Every route but /healthz and /v1/openapi.json needs `Authorization: Bearer mm_…` (see `mailmon api-keys create`).' },
      components: { securitySchemes: { apiKey: { type: 'http' as const, scheme: 'bearer', description: 'An API key, mm_…' } } },
      security: [{ apiKey: [] }],
    },
  };
}

/**
 * The OpenAPI document, built without a store or a listener (the build writes it to
 * openapi/openapi.json): the routes are registered but never called.
 */
export async function openApiDocument(version: string): Promise<unknown> {
  const unused = () => {
    throw new Error('not available while generating the OpenAPI document');
  };
  const stub = <T>() => new Proxy({}, { get: () => new Proxy(unused, { get: () => unused }) }) as T;
  const metrics = { hooks: noMetrics, contentType: 'text/plain', render: unused };
  const app = await buildApi({ storage: stub(), metrics, requestSync: unused, webhooks: stub(), replays: stub(), version });
  await app.ready();
  const document = app.swagger();
  await app.close();
  return document;
}
