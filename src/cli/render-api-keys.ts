/** Human output of `mailmon api-keys`. */
import type { ApiKeyView, CreatedApiKey } from '../app/api-keys.js';
import { table } from './table.js';

export function renderApiKeys(keys: ApiKeyView[]): string {
  if (keys.length === 0) return 'No API keys. Create one with "mailmon api-keys create".\n';
  return table(keys, [
    { header: 'id', value: (key) => key.id },
    { header: 'name', value: (key) => key.name ?? '-' },
    { header: 'scope', value: (key) => key.scope },
    { header: 'key', value: (key) => `${key.prefix}…` },
    { header: 'created', value: (key) => key.createdAt },
    { header: 'revoked', value: (key) => key.revokedAt ?? '-' },
  ]);
}

export function renderCreatedApiKey(key: CreatedApiKey): string {
  return [`Created ${key.scope} API key ${key.id}${key.name ? ` (${key.name})` : ''}:`, '', `  ${key.key}`, '', 'It is shown only now: store it where your app reads its secrets. Send it as "Authorization: Bearer <key>".'].join('\n');
}
