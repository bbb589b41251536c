/**
 * The contract suites of PushWatches, CredentialEnvelopes and ApiKeys against a real PostgreSQL
 * server. The suites set up mailboxes through the Mailboxes port; until the PostgreSQL one is
 * part of this store's factory, a stand-in inserts and deletes the rows directly.
 */
import pg from 'pg';
import type { Mailboxes } from '../../src/app/ports/mailboxes.js';
import type { Storage } from '../../src/app/ports/storage.js';
import { openPostgres, type PostgresStore } from '../../src/adapters/postgres/database.js';
import { postgresApiKeys } from '../../src/adapters/postgres/pg-api-keys.js';
import { postgresCredentialEnvelopes } from '../../src/adapters/postgres/pg-credential-envelopes.js';
import { postgresPushWatches } from '../../src/adapters/postgres/pg-push-watches.js';
import { createTestDatabase } from '../support/postgres.js';
import { apiKeysContract } from './api-keys.js';
import { credentialEnvelopesContract } from './credential-envelopes.js';
import { pushWatchesContract } from './push-watches.js';
import type { StoreFactory } from './stores.js';

function mailboxRows(pool: pg.Pool): Pick<Mailboxes, 'insert' | 'delete'> {
  return {
    async insert(row, now) {
      await pool.query(`insert into mailboxes (id, email_address, name, created_at, updated_at) values ($1, $2, $3, $4, $4)`, [row.id, row.emailAddress, row.name, now]);
    },
    async delete(id) {
      await pool.query('delete from mailboxes where id = $1', [id]);
    },
  };
}

function storageOf(store: PostgresStore): Storage {
  return {
    mailboxes: mailboxRows(store.pool),
    pushWatches: postgresPushWatches(store),
    credentialEnvelopes: postgresCredentialEnvelopes(store),
    apiKeys: postgresApiKeys(store),
  } as unknown as Storage;
}

const postgresMoreFactory: StoreFactory = {
  name: 'postgres',
  async create() {
    const database = await createTestDatabase();
    const opened = [await openPostgres(database.url)];
    return {
      storage: storageOf(opened[0]),
      async connect() {
        opened.push(await openPostgres(database.url, { poolSize: 4 }));
        return storageOf(opened.at(-1)!);
      },
      async close() {
        for (const store of opened) await store.close();
        await database.drop();
      },
    };
  },
};

pushWatchesContract(postgresMoreFactory);
credentialEnvelopesContract(postgresMoreFactory);
apiKeysContract(postgresMoreFactory);
