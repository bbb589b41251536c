/** `mailmon api-keys create|list|revoke` and the API's authentication: keys by scope, stored hashed. */
import { randomBytes } from 'node:crypto';
import { apiKeyPrefix, formatApiKey, hashApiKey } from '../core/api-keys.js';
import { MailmonError } from '../core/errors.js';
import type { ApiKeyRow, ApiKeyScope, ApiKeys } from './ports/api-keys.js';
import type { Clock } from './ports/clock.js';
import type { Storage } from './ports/storage.js';

export interface ApiKeyDeps {
  storage: Pick<Storage, 'apiKeys'>;
  clock: Pick<Clock, 'now'>;
}

export interface ApiKeyView {
  id: string;
  name: string | null;
  scope: ApiKeyScope;
  /** The key's first characters. */
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

/** A new key: the only time `key` exists outside the caller's hands. */
export interface CreatedApiKey extends ApiKeyView {
  key: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function view(row: ApiKeyRow): ApiKeyView {
  return { id: row.id, name: row.name, scope: row.scope, prefix: row.keyPrefix, createdAt: iso(row.createdAt)!, revokedAt: iso(row.revokedAt) };
}

export async function createApiKey(deps: ApiKeyDeps & { newId: () => string }, input: { name: string | null; scope: ApiKeyScope }): Promise<CreatedApiKey> {
  const key = formatApiKey(randomBytes(32));
  const row = { id: deps.newId(), name: input.name, scope: input.scope, keyHash: hashApiKey(key), keyPrefix: apiKeyPrefix(key) };
  const now = deps.clock.now();
  await deps.storage.apiKeys.create(row, now);
  return { ...view({ ...row, createdAt: now, revokedAt: null }), key };
}

export async function listApiKeys(deps: Pick<ApiKeyDeps, 'storage'>): Promise<ApiKeyView[]> {
  return (await deps.storage.apiKeys.list()).map(view);
}

/** Revoking a revoked key again is a no-op that reports the first revocation. */
export async function revokeApiKey(deps: ApiKeyDeps, id: string): Promise<ApiKeyView> {
  await deps.storage.apiKeys.revoke(id, deps.clock.now());
  const row = (await deps.storage.apiKeys.list()).find((candidate) => candidate.id === id);
  if (!row) throw new MailmonError('not_found', `No API key "${id}".`, { hint: 'See the ids with "mailmon api-keys list".' });
  return view(row);
}

/** The active key a presented key stands for, if any. */
export async function findApiKey(apiKeys: ApiKeys, key: string): Promise<ApiKeyRow | undefined> {
  return apiKeys.findByHash(hashApiKey(key));
}
