/** The Mailboxes port on SQLite (src/app/ports/mailboxes.ts). */
import type Database from 'better-sqlite3';
import type { Mailboxes } from '../../app/ports/mailboxes.js';
import { MailboxRepository } from './mailbox-repository.js';

export function sqliteMailboxes(sqlite: Database.Database): Mailboxes {
  const repository = new MailboxRepository(sqlite);
  return {
    list: async () => repository.list(),
    get: async (id) => repository.get(id),
    findByAddress: async (emailAddress) => repository.findByAddress(emailAddress),
    insert: async (row, now) => repository.insert(row, now),
    updateConnection: async (id, fields, now) => repository.updateConnection(id, fields, now),
    bumpLeaseEpoch: async (id) => repository.bumpLeaseEpoch(id),
    setStatus: async (id, status, reason, deps) => repository.setStatus(id, status, reason, deps),
    recordSyncAttempt: async (id, outcome) => repository.recordSyncAttempt(id, outcome),
    messageCount: async (id) => repository.messageCount(id),
    // Events carry no foreign key (the log outlives rows it mentions), so they go in the same transaction.
    delete: async (id) => sqlite.transaction(() => {
      sqlite.prepare('delete from events where mailbox_id = ?').run(id);
      repository.delete(id);
    }).immediate(),
  };
}
