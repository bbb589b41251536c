/**
 * The contract suites of PushWatches, CredentialEnvelopes and ApiKeys against a real PostgreSQL
 * server (their mailboxes set up through a stand-in Mailboxes port: test/support/pg-more-storage.ts).
 */
import { openPostgres } from '../../src/adapters/postgres/database.js';
import { pgMoreStorage } from '../support/pg-more-storage.js';
import { createTestDatabase } from '../support/postgres.js';
import { apiKeysContract } from './api-keys.js';
import { credentialEnvelopesContract } from './credential-envelopes.js';
import { pushWatchesContract } from './push-watches.js';
import type { StoreFactory } from './stores.js';

const postgresMoreFactory: StoreFactory = {
  name: 'postgres',
  async create() {
    const database = await createTestDatabase();
    const opened = [await openPostgres(database.url)];
    return {
      storage: pgMoreStorage(opened[0]),
      async connect() {
        opened.push(await openPostgres(database.url, { poolSize: 4 }));
        return pgMoreStorage(opened.at(-1)!);
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
