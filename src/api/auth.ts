/**
 * API key authentication. Each route declares the scope it needs in its config (`public`,
 * `read` or `write`); a write key may do everything a read key may. Keys are checked against the
 * store on every request, so a revoked key stops working at once.
 */
import type { FastifyInstance } from 'fastify';
import { findApiKey } from '../app/api-keys.js';
import type { ApiKeys } from '../app/ports/api-keys.js';
import { bearerKey } from '../core/api-keys.js';
import { ApiError, sendError } from './errors.js';

export type RouteScope = 'public' | 'read' | 'write';

declare module 'fastify' {
  interface FastifyContextConfig {
    scope?: RouteScope;
  }
}

export function installAuth(app: FastifyInstance, apiKeys: ApiKeys): void {
  app.addHook('onRequest', async (request, reply) => {
    // Unknown routes have no config: they need a key too, so that probing learns nothing.
    const scope = request.routeOptions.config?.scope ?? 'read';
    if (scope === 'public') return;
    const key = bearerKey(request.headers.authorization);
    const row = key === undefined ? undefined : await findApiKey(apiKeys, key);
    if (!row) return sendError(reply, new ApiError(401, 'unauthorized', key === undefined ? 'An API key is required.' : 'This API key is not valid (revoked or unknown).', 'Send "Authorization: Bearer mm_…"; create a key with "mailmon api-keys create".'));
    if (scope === 'write' && row.scope !== 'write') return sendError(reply, new ApiError(403, 'forbidden', 'This API key may only read.', 'Use a key created with "mailmon api-keys create --scope write".'));
  });
}
