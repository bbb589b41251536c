/**
 * The PostgreSQL storage ports of PushWatches, CredentialEnvelopes and ApiKeys on one store, for
 * tests, with a stand-in for the Mailboxes port the suites set up data through (insert, get,
 * list, delete on the mailboxes table) until the PostgreSQL Mailboxes port is part of the
 * store's factory.
 */
import type pg from 'pg';
import type { MailboxRow, Mailboxes } from '../../src/app/ports/mailboxes.js';
import type { Storage } from '../../src/app/ports/storage.js';
import type { PostgresStore } from '../../src/adapters/postgres/database.js';
import { postgresApiKeys } from '../../src/adapters/postgres/pg-api-keys.js';
import { postgresCredentialEnvelopes } from '../../src/adapters/postgres/pg-credential-envelopes.js';
import { postgresPushWatches } from '../../src/adapters/postgres/pg-push-watches.js';

function mailboxRows(pool: pg.Pool): Pick<Mailboxes, 'insert' | 'get' | 'list' | 'delete'> {
  const select = `select id, email_address as "emailAddress", name, status from mailboxes`;
  return {
    async insert(row, now) {
      await pool.query('insert into mailboxes (id, email_address, name, created_at, updated_at) values ($1, $2, $3, $4, $4)', [row.id, row.emailAddress, row.name, now]);
    },
    get: async (id) => (await pool.query<MailboxRow>(`${select} where id = $1`, [id])).rows[0],
    list: async () => (await pool.query<MailboxRow>(`${select} order by created_at, id`)).rows,
    async delete(id) {
      await pool.query('delete from mailboxes where id = $1', [id]);
    },
  };
}

/** Only the ports named above are real; the cast lets the contract suites take it as a Storage. */
export function pgMoreStorage(store: PostgresStore): Storage {
  return {
    mailboxes: mailboxRows(store.pool),
    pushWatches: postgresPushWatches(store),
    credentialEnvelopes: postgresCredentialEnvelopes(store),
    apiKeys: postgresApiKeys(store),
  } as unknown as Storage;
}
