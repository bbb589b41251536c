/** `GET /healthz` (no key), `GET /metrics` (Prometheus text) and `GET /v1/openapi.json`. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { MetricsRegistry } from '../metrics.js';
import { Health, errorResponses } from '../schemas.js';

export interface SystemRoutesOptions {
  version: string;
  metrics: MetricsRegistry;
}

export const systemRoutes: FastifyPluginAsyncTypebox<SystemRoutesOptions> = async (app, { version, metrics }) => {
  app.get('/healthz', {
    config: { scope: 'public' },
    schema: { operationId: 'health', summary: 'Liveness: answers without a key', tags: ['system'], security: [], response: { 200: Health } },
  }, async () => ({ status: 'ok' as const, version }));

  app.get('/metrics', {
    config: { scope: 'read' },
    schema: {
      operationId: 'metrics',
      summary: 'Prometheus metrics (text exposition format)',
      tags: ['system'],
      response: { 200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: Type.String() } } }, ...errorResponses },
    },
  }, async (_request, reply) => reply.type(metrics.contentType).serializer((body: string) => body).send(await metrics.render()));

  app.get('/v1/openapi.json', {
    config: { scope: 'public' },
    schema: { operationId: 'openapi', summary: 'This OpenAPI 3.1 document', tags: ['system'], security: [], hide: true },
  }, async (_request, reply) => reply.type('application/json').serializer((body: unknown) => JSON.stringify(body)).send(app.swagger()));
};
