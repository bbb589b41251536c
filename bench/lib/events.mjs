/**
 * Synthetic events for the forward/replay benchmarks, appended straight into a home's `events`
 * table with the same columns and the same envelope as EventLog.append
 * (src/adapters/sqlite/event-log.ts): a ~1 KB `message.created` body, 2,000 threads as ordering
 * keys (so 16 deliveries can be in flight at once, as with a real mailbox).
 */
import Database from 'better-sqlite3';

export const MAILBOX_ID = 'mbx_01benchbenchbenchbenchbench';
export const THREADS = 2000;

const SNIPPET = 'Quarterly numbers attached — please review before Thursday. '.repeat(8).slice(0, 420);

/** The stored body of event number `sequence` (and its id and ordering key). */
export function eventBody(sequence, occurredAt) {
  const id = `evt_bench${String(sequence).padStart(17, '0')}`;
  const thread = `thr_bench${String(sequence % THREADS).padStart(17, '0')}`;
  const envelope = {
    id, object: 'event', type: 'message.created', schemaVersion: 1, sequence, occurredAt: new Date(occurredAt).toISOString(), mailboxId: MAILBOX_ID, emailAddress: 'dev@mailmon.test',
    data: {
      messageId: `msg_bench${String(sequence).padStart(17, '0')}`, threadId: thread, providerMessageId: (0x18b0000000000000 + sequence).toString(16), providerThreadId: (0x18b0000000000000 + (sequence % THREADS)).toString(16),
      subject: `Benchmark message ${sequence}`, from: { name: 'Ada Lovelace', address: 'ada@example.com' }, to: [{ name: null, address: 'dev@mailmon.test' }], cc: [],
      snippet: SNIPPET, receivedAt: new Date(occurredAt).toISOString(), labelIds: ['CATEGORY_PERSONAL', 'INBOX', 'UNREAD'], hasAttachments: false, attachmentCount: 0,
    },
  };
  return { id, orderingKey: thread, body: JSON.stringify(envelope) };
}

/** Opens a home's database the way mailmon does (WAL, busy timeout). */
export function openEvents(dbFile) {
  const sqlite = new Database(dbFile);
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  const insert = sqlite.prepare('insert into events (sequence, id, type, mailbox_id, ordering_key, occurred_at, body) values (?, ?, ?, ?, ?, ?, ?)');
  const max = sqlite.prepare('select coalesce(max(sequence), 0) as max from events');
  return {
    sqlite,
    /** Appends `count` events in one transaction; returns [{sequence, id}]. */
    append(count, occurredAt) {
      const out = [];
      sqlite.transaction(() => {
        let sequence = max.get().max;
        for (let i = 0; i < count; i++) {
          sequence += 1;
          const { id, orderingKey, body } = eventBody(sequence, occurredAt);
          insert.run(sequence, id, 'message.created', MAILBOX_ID, orderingKey, occurredAt, body);
          out.push({ sequence, id });
        }
      }).immediate(); // take the write lock first: a deferred read→write upgrade fails at once (SQLITE_BUSY) if listen wrote in between
      return out;
    },
    close: () => sqlite.close(),
  };
}
