/**
 * The contract suites of the PostgreSQL ports built on this branch against a real PostgreSQL
 * server (their data set up through the stand-ins of test/support/pg-more-storage.ts).
 */
import { openPostgres, type PostgresStore } from '../../src/adapters/postgres/database.js';
import { pgMoreStorage, seedMessages } from '../support/pg-more-storage.js';
import { createTestDatabase } from '../support/postgres.js';
import { apiKeysContract } from './api-keys.js';
import { credentialEnvelopesContract } from './credential-envelopes.js';
import { messagesContract } from './messages.js';
import { pushWatchesContract } from './push-watches.js';
import { retentionContract } from './retention.js';
import { storeHealthContract } from './store-health.js';
import type { SqliteUnderTest, StoreFactory } from './stores.js';

const postgresMoreFactory: StoreFactory<SqliteUnderTest> = {
  name: 'postgres',
  async create() {
    const database = await createTestDatabase();
    const opened: PostgresStore[] = [await openPostgres(database.url)];
    const storages = [pgMoreStorage(opened[0])];
    return {
      storage: storages[0],
      seed: { messages: (mailbox, messages) => seedMessages(opened[0].pool, mailbox, messages) },
      async connect() {
        opened.push(await openPostgres(database.url, { poolSize: 4 }));
        storages.push(pgMoreStorage(opened.at(-1)!));
        return storages.at(-1)!;
      },
      async close() {
        for (const storage of storages) await storage.changes.close();
        for (const store of opened) await store.close();
        await database.drop();
      },
    };
  },
};

pushWatchesContract(postgresMoreFactory);
credentialEnvelopesContract(postgresMoreFactory);
apiKeysContract(postgresMoreFactory);
messagesContract(postgresMoreFactory);
retentionContract(postgresMoreFactory);
storeHealthContract(postgresMoreFactory);
