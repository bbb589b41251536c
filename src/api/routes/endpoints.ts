/**
 * Webhook endpoints: register (after the verification challenge, unless skipped), list, get,
 * enable or disable, delete, rotate the secret, send a test ping. Each route is a use case of
 * src/app; the signing secret is only ever shown by the routes that create it (a write key).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { addEndpoint, type EndpointDeps } from '../../app/add-endpoint.js';
import { disableEndpoint, enableEndpoint, removeEndpoint } from '../../app/change-endpoint.js';
import { listEndpoints, showEndpoint } from '../../app/endpoint-queries.js';
import { rotateEndpointSecret } from '../../app/endpoint-secret.js';
import { testEndpoint } from '../../app/test-endpoint.js';
import { Endpoint, EndpointCreated, EndpointDeleted, EndpointPatch, EndpointSecret, EndpointTest, Limit, NewEndpointBody, actionErrorResponses, errorResponses, page } from '../schemas.js';
import { endpointView } from '../views.js';

export type WebhookDeps = EndpointDeps & { timeoutMs: () => number };

export interface EndpointRoutesOptions {
  webhooks: WebhookDeps;
  /** Endpoints or deliveries changed here: the delivery worker should look now. */
  onDeliveriesChanged: () => void;
}

const Params = Type.Object({ id: Type.String({ pattern: '^whe_' }) });
const iso = (ms: number) => new Date(ms).toISOString();

export const endpointRoutes: FastifyPluginAsyncTypebox<EndpointRoutesOptions> = async (app, { webhooks, onDeliveriesChanged }) => {
  const { storage } = webhooks;
  const endpointOf = async (id: string): Promise<Static<typeof Endpoint>> => {
    const now = webhooks.now();
    const details = await showEndpoint(storage, id, now);
    return endpointView(details, { headers: details.headers, previousSecretExpiresAt: details.secretRotation?.previousSecretExpiresAt ?? null }, now);
  };

  app.get('/v1/endpoints', {
    config: { scope: 'read' },
    schema: { operationId: 'listEndpoints', summary: 'Registered webhook endpoints, oldest first', tags: ['endpoints'], querystring: Type.Object({ after: Type.Optional(Type.String({ description: 'A cursor: the id of the last endpoint of the previous page' })), limit: Type.Optional(Limit) }, { additionalProperties: false }), response: { 200: page(Endpoint), ...errorResponses } },
  }, async (request) => {
    const now = webhooks.now();
    const rows = new Map((await storage.endpoints.list()).map((row) => [row.id, row]));
    const all = (await listEndpoints(storage)).filter((item) => rows.has(item.id));
    const start = request.query.after === undefined ? 0 : all.findIndex((item) => item.id === request.query.after) + 1;
    const limit = request.query.limit ?? 100;
    const items = all.slice(start, start + limit);
    return { data: items.map((item) => endpointView(item, rows.get(item.id)!, now)), nextCursor: start + limit < all.length ? items[items.length - 1].id : null };
  });

  app.post('/v1/endpoints', {
    config: { scope: 'write' },
    schema: {
      operationId: 'createEndpoint',
      summary: 'Register a webhook endpoint',
      description: 'Unless `skipVerification`, first sends a signed `{"type":"webhook.verification","challenge":…}` POST that the URL must answer within 5 s with a 2xx JSON body echoing the challenge (else 422 `verification_failed`). The endpoint receives events committed from now on. The secret is in this answer only.',
      tags: ['endpoints'],
      body: NewEndpointBody,
      response: { 201: EndpointCreated, ...actionErrorResponses },
    },
  }, async (request, reply) => {
    const body = request.body;
    const added = await addEndpoint(webhooks, { url: body.url, events: body.events ?? [], mailboxes: body.mailboxes ?? [], scheme: body.signatureScheme ?? 'mailmon', headers: body.headers ?? {}, description: body.description ?? null, skipVerification: body.skipVerification === true });
    onDeliveriesChanged();
    return reply.code(201).send({ ...(await endpointOf(added.id)), secret: added.secret, verified: added.verified });
  });

  app.get('/v1/endpoints/:id', {
    config: { scope: 'read' },
    schema: { operationId: 'getEndpoint', summary: 'One webhook endpoint', tags: ['endpoints'], params: Params, response: { 200: Endpoint, ...errorResponses } },
  }, async (request) => endpointOf(request.params.id));

  app.patch('/v1/endpoints/:id', {
    config: { scope: 'write' },
    schema: { operationId: 'updateEndpoint', summary: 'Enable or disable a webhook endpoint', tags: ['endpoints'], params: Params, body: EndpointPatch, response: { 200: Endpoint, ...actionErrorResponses } },
  }, async (request) => {
    const now = webhooks.now();
    await (request.body.enabled ? enableEndpoint(storage, request.params.id, now) : disableEndpoint(storage, request.params.id, now));
    onDeliveriesChanged();
    return endpointOf(request.params.id);
  });

  app.delete('/v1/endpoints/:id', {
    config: { scope: 'write' },
    schema: { operationId: 'deleteEndpoint', summary: 'Delete a webhook endpoint with its deliveries and secrets', tags: ['endpoints'], params: Params, response: { 200: EndpointDeleted, ...actionErrorResponses } },
  }, async (request) => {
    await removeEndpoint(storage, webhooks.vault, request.params.id);
    return { id: request.params.id, object: 'endpoint' as const, deleted: true as const };
  });

  app.post('/v1/endpoints/:id/rotate-secret', {
    config: { scope: 'write' },
    schema: { operationId: 'rotateEndpointSecret', summary: "Rotate an endpoint's signing secret", tags: ['endpoints'], params: Params, response: { 200: EndpointSecret, ...actionErrorResponses } },
  }, async (request) => {
    const rotated = await rotateEndpointSecret(webhooks, request.params.id);
    return { id: rotated.id, object: 'endpoint_secret' as const, secret: rotated.secret, previous: rotated.previous ? { secret: rotated.previous.secret, expiresAt: iso(rotated.previous.expiresAt) } : null };
  });

  app.post('/v1/endpoints/:id/test', {
    config: { scope: 'write' },
    schema: { operationId: 'testEndpoint', summary: 'Send one signed webhook.test ping now', description: 'The attempt is logged (kind `test`), never retried, never counted toward health. A failed ping is still a 200 with `ok: false`.', tags: ['endpoints'], params: Params, response: { 200: EndpointTest, ...actionErrorResponses } },
  }, async (request) => {
    const result = await testEndpoint({ ...webhooks, timeoutMs: webhooks.timeoutMs() }, request.params.id);
    return { object: 'endpoint_test' as const, endpointId: result.endpointId, deliveryId: result.deliveryId, eventId: result.eventId, url: result.url, ok: result.ok, status: result.status, latencyMs: result.latencyMs, errorClass: result.errorClass, errorMessage: result.errorMessage };
  });
};
