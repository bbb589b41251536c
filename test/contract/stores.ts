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

export interface StoreUnderTest {
  storage: Storage;
  /** Another connection to the same store. */
  connect(): Promise<Storage>;
  close(): Promise<void>;
}

export interface StoreFactory<Store extends StoreUnderTest = StoreUnderTest> {
  name: string;
  create(): Promise<Store>;
}

/** Sets up data a suite reads but its port does not write (messages: the sync commit writes them). */
export interface Seeder {
  /** Stores these messages in the mailbox as the sync commit would (no events). */
  messages(mailbox: { id: string; emailAddress: string }, messages: MessageState[]): Promise<void>;
}

export interface SqliteUnderTest extends StoreUnderTest {
  seed: Seeder;
}

export const sqliteFactory: StoreFactory<SqliteUnderTest> = {
  name: 'sqlite',
  async create() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-contract-'));
    const file = path.join(dir, 'mailmon.db');
    const opened: SqliteStore[] = [openDatabase(file)];
    return {
      storage: sqliteStorage(opened[0]),
      seed: portSeeder(sqliteStorage(opened[0])),
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
export interface LeasesUnderTest {
  storage: Storage;
  /** The leases as one process sees them; `heartbeatMs`: how often its holders renew their lease. */
  open(options?: { heartbeatMs?: number }): Leases;
  close(): Promise<void>;
}

export interface LeaseFactory {
  name: string;
  create(): Promise<LeasesUnderTest>;
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

/** Stores messages through the sync commit port (no events), at the mailbox's current epoch. */
export function portSeeder(storage: Storage): Seeder {
  return {
    async messages(mailbox, messages) {
      const epoch = (await storage.mailboxes.get(mailbox.id))!.leaseEpoch;
      await storage.syncCommit.commit({ mailbox, epoch, remote: messages.map((state) => ({ kind: 'present', state })), emitEvents: false, now: Date.now() });
    },
  };
}
