/**
 * The implementations every port contract suite runs against. A store under test is a fresh,
 * empty, migrated store; `connect()` opens another connection to the same store, as another
 * process (or another machine, for a shared database) would.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Storage } from '../../src/app/ports/storage.js';
import { openDatabase, type SqliteStore } from '../../src/adapters/sqlite/database.js';
import { sqliteStorage } from '../../src/adapters/sqlite/sqlite-storage.js';
import { SyncStore } from '../../src/adapters/sqlite/sync-store.js';
import { newId } from '../../src/adapters/system/ids.js';
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

/**
 * Writes what no port of this branch writes yet (messages: the sync commit), so a suite can set
 * up the data it reads. Each implementation brings its own.
 */
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
      seed: sqliteSeeder(opened[0]),
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

function sqliteSeeder(store: SqliteStore): Seeder {
  return {
    async messages(mailbox, messages) {
      const epoch = (store.sqlite.prepare('select lease_epoch as epoch from mailboxes where id = ?').get(mailbox.id) as { epoch: number }).epoch;
      new SyncStore(store.sqlite, newId, Date.now).commit({ mailbox, epoch, remote: messages.map((state) => ({ kind: 'present', state })), emitEvents: false });
    },
  };
}
