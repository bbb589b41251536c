/**
 * The implementations every port contract suite runs against. A store under test is a fresh,
 * empty, migrated store; `connect()` opens another connection to the same store, as another
 * process (or another machine, for a shared database) would.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Leases } from '../../src/app/ports/leases.js';
import type { Storage } from '../../src/app/ports/storage.js';
import { openDatabase, type SqliteStore } from '../../src/adapters/sqlite/database.js';
import { sqliteStorage } from '../../src/adapters/sqlite/sqlite-storage.js';
import { fileLeases } from '../../src/adapters/system/lease.js';
import type { MessageState } from '../../src/core/message-state.js';
import { openPostgres, type PostgresStore } from '../../src/adapters/postgres/database.js';
import { postgresLeases } from '../../src/adapters/postgres/pg-leases.js';
import { postgresStorage, type PostgresStorage } from '../../src/adapters/postgres/postgres-storage.js';
import { createTestDatabase } from '../support/postgres.js';

/** `S`: the ports the implementation has (a suite asks for the ones it tests). */
export interface StoreUnderTest<S = Storage> {
  storage: S;
  /** Another connection to the same store. */
  connect(): Promise<S>;
  close(): Promise<void>;
}

export interface StoreFactory<S = Storage> {
  name: string;
  create(): Promise<StoreUnderTest<S>>;
}

export const sqliteFactory: StoreFactory = {
  name: 'sqlite',
  async create() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-contract-'));
    const file = path.join(dir, 'mailmon.db');
    const opened: SqliteStore[] = [openDatabase(file)];
    return {
      storage: sqliteStorage(opened[0]),
      async connect() {
        const store = openDatabase(file);
        opened.push(store);
        return sqliteStorage(store);
      },
      async close() {
        for (const store of opened) store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** A lease implementation under test, with the store that keeps its fencing epochs. */
export interface LeasesUnderTest<S = Storage> {
  storage: S;
  /** The leases as one process sees them; `heartbeatMs`: how often its holders renew their lease. */
  open(options?: { heartbeatMs?: number }): Leases;
  close(): Promise<void>;
}

export interface LeaseFactory<S = Storage> {
  name: string;
  create(): Promise<LeasesUnderTest<S>>;
}

/** The file lease: a temporary leases directory, epochs in a SQLite store. */
export const fileLeaseFactory: LeaseFactory = {
  name: 'file lease',
  async create() {
    const store = await sqliteFactory.create();
    const leasesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-leases-'));
    return {
      storage: store.storage,
      open: (options = {}) => fileLeases({ leasesDir, mailboxes: store.storage.mailboxes, heartbeatMs: options.heartbeatMs }),
      async close() {
        await store.close();
        fs.rmSync(leasesDir, { recursive: true, force: true });
      },
    };
  },
};

/** A fresh database at the current schema (a copy of the run's migrated one), and every pool opened on it (closed, then the database dropped, by `close`). */
async function postgresDatabase(): Promise<{ open(poolSize?: number): Promise<PostgresStore>; close(): Promise<void> }> {
  const database = await createTestDatabase({ migrated: true });
  const opened: PostgresStore[] = [];
  return {
    async open(poolSize) {
      const store = await openPostgres(database.url, { poolSize });
      opened.push(store);
      return store;
    },
    async close() {
      for (const store of opened) await store.close();
      await database.drop();
    },
  };
}

/** The PostgreSQL store: a fresh database per store on the run's server; `connect()` opens a second pool. */
export const postgresFactory: StoreFactory<PostgresStorage> = {
  name: 'postgres',
  async create() {
    const database = await postgresDatabase();
    return {
      storage: postgresStorage(await database.open()),
      connect: async () => postgresStorage(await database.open(4)),
      close: () => database.close(),
    };
  },
};

/** The PostgreSQL lease: the `leases` table of a fresh database; each `open()` is another process (its own holder id). */
export const postgresLeaseFactory: LeaseFactory<PostgresStorage> = {
  name: 'postgres lease',
  async create() {
    const database = await postgresDatabase();
    const store = await database.open();
    return {
      storage: postgresStorage(store),
      open: (options = {}) => postgresLeases(store, { heartbeatMs: options.heartbeatMs }),
      close: () => database.close(),
    };
  },
};

/** Sets up data a suite reads but its port does not write (messages: the sync commit writes them). */
export interface Seeder {
  /** Stores these messages in the mailbox as the sync commit would (no events). */
  messages(mailbox: { id: string; emailAddress: string }, messages: MessageState[]): Promise<void>;
}

/** Stores messages through the sync commit port (no events), at the mailbox's current epoch. */
export function portSeeder(storage: Pick<Storage, 'mailboxes' | 'syncCommit'>): Seeder {
  return {
    async messages(mailbox, messages) {
      const epoch = (await storage.mailboxes.get(mailbox.id))!.leaseEpoch;
      await storage.syncCommit.commit({ mailbox, epoch, remote: messages.map((state) => ({ kind: 'present', state })), emitEvents: false, now: Date.now() });
    },
  };
}
