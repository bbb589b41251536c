/** The ApiKeys port on SQLite (src/app/ports/api-keys.ts). */
import type Database from 'better-sqlite3';
import type { ApiKeyRow, ApiKeys } from '../../app/ports/api-keys.js';

const COLUMNS = 'id, name, scope, key_hash as keyHash, key_prefix as keyPrefix, created_at as createdAt, revoked_at as revokedAt';

export function sqliteApiKeys(sqlite: Database.Database): ApiKeys {
  const insert = sqlite.prepare('insert into api_keys (id, name, scope, key_hash, key_prefix, created_at) values (?, ?, ?, ?, ?, ?)');
  const byHash = sqlite.prepare(`select ${COLUMNS} from api_keys where key_hash = ? and revoked_at is null`);
  const all = sqlite.prepare(`select ${COLUMNS} from api_keys order by created_at, id`);
  const revoke = sqlite.prepare('update api_keys set revoked_at = ? where id = ? and revoked_at is null');
  const active = sqlite.prepare('select count(*) as n from api_keys where revoked_at is null');
  return {
    create: async (row, now) => {
      insert.run(row.id, row.name, row.scope, row.keyHash, row.keyPrefix, now);
    },
    findByHash: async (keyHash) => byHash.get(keyHash) as ApiKeyRow | undefined,
    list: async () => all.all() as ApiKeyRow[],
    revoke: async (id, now) => revoke.run(now, id).changes > 0,
    countActive: async () => (active.get() as { n: number }).n,
  };
}
