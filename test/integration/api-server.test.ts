/**
 * The API's frame in-process (fastify inject) on a real SQLite store: scopes (403 for a read key
 * on a write route), the one error shape, and responses checked against their schema before
 * they leave (a row that does not fit is a 500, never a wrong body).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Type } from 'typebox';
import { createApiKey } from '../../src/app/api-keys.js';
import { noMetrics } from '../../src/app/ports/metrics.js';
import type { Storage } from '../../src/app/ports/storage.js';
import { buildApi, type Api } from '../../src/api/server.js';
import { systemClock } from '../../src/adapters/system/clock.js';
import { sqliteFactory, type StoreUnderTest } from '../contract/stores.js';

let store: StoreUnderTest;
let app: Api;
let internalErrors: unknown[];
let keys: { read: string; write: string };

async function start(storage: Storage = store.storage): Promise<Api> {
  internalErrors = [];
  const metrics = { hooks: noMetrics, contentType: 'text/plain; version=0.0.4', render: async () => 'm 1\n' };
  const unused = async () => {
    throw new Error('not used here');
  };
  const webhooks = { vault: { loadSecret: unused, saveSecret: unused, deleteSecret: unused }, send: unused, now: Date.now, ids: (prefix: string) => `${prefix}_1`, generateSecret: () => 'whsec_x', challenge: () => 'c', userAgent: 'test', timeoutMs: () => 1000 };
  const api = await buildApi({ storage, metrics, requestSync: unused, webhooks: webhooks as never, replays: { start: unused, get: () => undefined }, version: '0.0.0-test', onInternalError: (error) => internalErrors.push(error) });
  // A write route with a body of its own checks the scope rule comes before validation.
  api.post('/v1/test-write', { config: { scope: 'write' }, schema: { body: Type.Object({ n: Type.Integer() }), response: { 200: Type.Object({ n: Type.Integer() }) } } }, async (request) => ({ n: (request.body as { n: number }).n }));
  return api;
}

const auth = (key: string) => ({ authorization: `Bearer ${key}` });

beforeEach(async () => {
  store = await sqliteFactory.create();
  let n = 0;
  const deps = { storage: store.storage, clock: systemClock, newId: () => `key_${++n}` };
  keys = { read: (await createApiKey(deps, { name: null, scope: 'read' })).key, write: (await createApiKey(deps, { name: null, scope: 'write' })).key };
  app = await start();
});
afterEach(async () => {
  await app.close();
  await store.close();
});

describe('API frame', () => {
  it('a read key may read but gets 403 on a write route; a write key may do both', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/mailboxes', headers: auth(keys.read) })).statusCode).toBe(200);
    const refused = await app.inject({ method: 'POST', url: '/v1/test-write', headers: auth(keys.read), payload: { n: 1 } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ error: { code: 'forbidden', message: expect.any(String), hint: expect.stringContaining('--scope write') } });
    expect((await app.inject({ method: 'POST', url: '/v1/test-write', headers: auth(keys.write), payload: { n: 1 } })).json()).toEqual({ n: 1 });
    expect((await app.inject({ method: 'GET', url: '/v1/mailboxes', headers: auth(keys.write) })).statusCode).toBe(200);
  });

  it('checks the key before the body: no key is 401 even with an invalid body; a bad body with a key is 400 in the same shape', async () => {
    expect((await app.inject({ method: 'POST', url: '/v1/test-write', payload: { n: 'x' } })).statusCode).toBe(401);
    const invalid = await app.inject({ method: 'POST', url: '/v1/test-write', headers: auth(keys.write), payload: { n: 'x' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ error: { code: 'bad_request', message: expect.stringContaining('body/n'), hint: expect.any(String) } });
  });

  it('an unknown route needs a key too, then is 404 in the error shape', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/nothing' })).statusCode).toBe(401);
    const missing = await app.inject({ method: 'GET', url: '/v1/nothing', headers: auth(keys.read) });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'not_found', hint: expect.any(String) } });
  });

  it('a response that does not fit its schema is a 500 with no details, reported as an internal error', async () => {
    await app.close();
    await store.storage.mailboxes.insert({ id: 'mbx_1', emailAddress: 'a@example.com', name: null, gmailApiUrl: null, oauthUrl: null, scope: null }, 1_000);
    const broken: Storage = { ...store.storage, mailboxes: { ...store.storage.mailboxes, get: async (id) => ({ ...(await store.storage.mailboxes.get(id))!, status: 'sideways' as never }) } };
    app = await start(broken);
    const response = await app.inject({ method: 'GET', url: '/v1/mailboxes/mbx_1', headers: auth(keys.read) });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: { code: 'internal', message: 'Internal error.', hint: expect.any(String) } });
    expect(String(internalErrors[0])).toContain('does not match its schema');
    expect((await app.inject({ method: 'GET', url: '/v1/mailboxes', headers: auth(keys.read) })).statusCode).toBe(200);
  });

  it('serves /metrics as text from the registry and /healthz without a key', async () => {
    const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: auth(keys.read) });
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toBe('m 1\n');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok', version: '0.0.0-test' });
  });
});
