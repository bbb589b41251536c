/** The Daemons contract against the shared PostgreSQL store (a fresh database per test). */
import type { Storage } from '../../src/app/ports/storage.js';
import { openPostgres, type PostgresStore } from '../../src/adapters/postgres/database.js';
import { postgresDaemons } from '../../src/adapters/postgres/pg-daemons.js';
import { createTestDatabase } from '../support/postgres.js';
import { daemonsContract } from './daemons.js';
import type { StoreFactory } from './stores.js';

/** Only the membership port: the other ports' PostgreSQL implementations are tested beside them. */
const postgresDaemonsFactory: StoreFactory = {
  name: 'postgres',
  async create() {
    const database = await createTestDatabase();
    const opened: PostgresStore[] = [await openPostgres(database.url, { poolSize: 4 })];
    const storageOf = (store: PostgresStore) => ({ daemons: postgresDaemons(store.pool) }) as Partial<Storage> as Storage;
    return {
      storage: storageOf(opened[0]),
      async connect() {
        const store = await openPostgres(database.url, { poolSize: 4 });
        opened.push(store);
        return storageOf(store);
      },
      async close() {
        for (const store of opened) await store.close();
        await database.drop();
      },
    };
  },
};

daemonsContract(postgresDaemonsFactory);
