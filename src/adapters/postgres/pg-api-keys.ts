/**
 * The ApiKeys port on PostgreSQL (src/app/ports/api-keys.ts): the api_keys table, unique by
 * hash. Every method is one statement; a revocation is conditional on the key not being revoked
 * yet, so of concurrent revocations exactly one reports true.
 */
import type { ApiKeyRow, ApiKeyScope, ApiKeys } from '../../app/ports/api-keys.js';
import { num, query, type PgHandle } from './pg-transaction.js';

const COLUMNS = 'id, name, scope, key_hash, key_prefix, created_at, revoked_at';

interface Row {
  id: string;
  name: string | null;
  scope: ApiKeyScope;
  key_hash: string;
  key_prefix: string;
  created_at: string;
  revoked_at: string | null;
}

function toKey(row: Row): ApiKeyRow {
  return { id: row.id, name: row.name, scope: row.scope, keyHash: row.key_hash, keyPrefix: row.key_prefix, createdAt: num(row.created_at), revokedAt: num(row.revoked_at) };
}

export function postgresApiKeys(store: PgHandle): ApiKeys {
  return {
    async create(row, now) {
      await query(store, 'insert into api_keys (id, name, scope, key_hash, key_prefix, created_at) values ($1, $2, $3, $4, $5, $6)',
        [row.id, row.name, row.scope, row.keyHash, row.keyPrefix, now]);
    },
    async findByHash(keyHash) {
      const result = await query<Row>(store, `select ${COLUMNS} from api_keys where key_hash = $1 and revoked_at is null`, [keyHash]);
      return result.rows[0] ? toKey(result.rows[0]) : undefined;
    },
    async list() {
      const result = await query<Row>(store, `select ${COLUMNS} from api_keys order by created_at, id collate "C"`);
      return result.rows.map(toKey);
    },
    async revoke(id, now) {
      const result = await query(store, 'update api_keys set revoked_at = $1 where id = $2 and revoked_at is null', [now, id]);
      return result.rowCount === 1;
    },
    async countActive() {
      const result = await query<{ n: string }>(store, 'select count(*) as n from api_keys where revoked_at is null');
      return num(result.rows[0].n);
    },
  };
}
