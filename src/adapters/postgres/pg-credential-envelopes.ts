/**
 * The CredentialEnvelopes port on PostgreSQL (src/app/ports/credential-envelopes.ts): the rows
 * of `credentials` (one per mailbox) and `secrets` (named), never plaintext. `replaceAll` is ONE
 * transaction of conditional updates: a row another connection changed meanwhile is re-read
 * once its writer commits (READ COMMITTED re-checks the condition on the newest version), fails
 * the condition, and the whole swap rolls back as credential_changed.
 */
import { MailmonError } from '../../core/errors.js';
import type {
  CredentialEnvelopes,
  EnvelopeOwnerType,
  EnvelopeReplacement,
  EnvelopeRow,
  EnvelopeRowWrite,
  MailboxWithoutCredential,
} from '../../app/ports/credential-envelopes.js';
import { inTransaction, num, query, type PgHandle, type Queryable } from './pg-transaction.js';

/** Where each kind of envelope lives; credentials carry the OAuth client id and scope besides. */
const TABLES = {
  credential: { table: 'credentials', key: 'mailbox_id', meta: 'client_id, scope' },
  secret: { table: 'secrets', key: 'name', meta: 'null::text as client_id, null::text as scope' },
} as const;

const FIELDS = 'store, envelope_version, key_id, nonce, tag, ciphertext, created_at, updated_at';

interface Row {
  owner: string;
  store: string;
  envelope_version: number | null;
  key_id: string | null;
  nonce: string | null;
  tag: string | null;
  ciphertext: string | null;
  client_id: string | null;
  scope: string | null;
  created_at: string;
  updated_at: string;
}

/** PostgreSQL's foreign_key_violation: the credential's mailbox does not exist. */
const FOREIGN_KEY_VIOLATION = '23503';

function toRow(type: EnvelopeOwnerType, row: Row): EnvelopeRow {
  return {
    type, owner: row.owner, store: row.store, envelopeVersion: row.envelope_version, keyId: row.key_id, nonce: row.nonce, tag: row.tag,
    ciphertext: row.ciphertext, clientId: row.client_id, scope: row.scope, createdAt: num(row.created_at), updatedAt: num(row.updated_at),
  };
}

function selectOf(type: EnvelopeOwnerType): string {
  const { table, key, meta } = TABLES[type];
  return `select ${key} as owner, ${FIELDS}, ${meta} from ${table}`;
}

export function postgresCredentialEnvelopes(store: PgHandle): CredentialEnvelopes {
  return {
    async get(type, owner) {
      const result = await query<Row>(store, `${selectOf(type)} where ${TABLES[type].key} = $1`, [owner]);
      return result.rows[0] ? toRow(type, result.rows[0]) : undefined;
    },
    async list() {
      // One statement, one snapshot; collate "C" orders bytewise, like SQLite.
      const result = await query<Row & { type: EnvelopeOwnerType }>(store, `select * from (
        select 'credential' as type, 0 as kind, * from (${selectOf('credential')}) c
        union all select 'secret', 1, * from (${selectOf('secret')}) s) rows order by kind, owner collate "C"`);
      return result.rows.map((row) => toRow(row.type, row));
    },
    upsert: (type, owner, write, now) => upsert(store, type, owner, write, now),
    async delete(type, owner) {
      const { table, key } = TABLES[type];
      return (await query(store, `delete from ${table} where ${key} = $1`, [owner])).rowCount === 1;
    },
    replaceAll: (replacements, now) => inTransaction(store, (client) => replaceEach(client, replacements, now)),
    async mailboxesWithoutCredential() {
      const result = await query<MailboxWithoutCredential>(store, `select m.id as "mailboxId", m.email_address as "emailAddress", m.status from mailboxes m
        where not exists (select 1 from credentials c where c.mailbox_id = m.id) order by m.id collate "C"`);
      return result.rows;
    },
  };
}

/** Inserts or replaces a row (keeping createdAt); a credential whose mailbox is missing is mailbox_not_found. */
async function upsert(store: PgHandle, type: EnvelopeOwnerType, owner: string, write: EnvelopeRowWrite, now: number): Promise<void> {
  const { table, key } = TABLES[type];
  const values = [owner, write.store, write.envelopeVersion, write.keyId, write.nonce, write.tag, write.ciphertext, now];
  const meta = type === 'credential' ? { columns: ', client_id, scope', params: ', $9, $10', set: ', client_id = excluded.client_id, scope = excluded.scope' } : { columns: '', params: '', set: '' };
  if (type === 'credential') values.push(write.clientId ?? null, write.scope ?? null);
  try {
    await query(store, `insert into ${table} (${key}, store, envelope_version, key_id, nonce, tag, ciphertext, created_at, updated_at${meta.columns})
      values ($1, $2, $3, $4, $5, $6, $7, $8, $8${meta.params})
      on conflict (${key}) do update set store = excluded.store, envelope_version = excluded.envelope_version, key_id = excluded.key_id, nonce = excluded.nonce,
      tag = excluded.tag, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at${meta.set}`, values);
  } catch (error) {
    if ((error as { code?: string }).code !== FOREIGN_KEY_VIOLATION) throw error;
    throw new MailmonError('mailbox_not_found', `No mailbox ${owner}.`, { hint: 'Run "mailmon mailboxes" to list mailboxes.' });
  }
}

/** Each swap is conditional on the file-store row being exactly as read; one miss aborts them all. */
async function replaceEach(client: Queryable, replacements: EnvelopeReplacement[], now: number): Promise<void> {
  for (const { type, owner, expected, next } of replacements) {
    const { table, key } = TABLES[type];
    const result = await client.query(`update ${table} set envelope_version = $1, key_id = $2, nonce = $3, tag = $4, ciphertext = $5, updated_at = $6
      where ${key} = $7 and store = 'file' and nonce = $8 and ciphertext = $9 and tag = $10`,
    [next.envelopeVersion, next.keyId, next.nonce, next.tag, next.ciphertext, now, owner, expected.nonce ?? '', expected.ciphertext ?? '', expected.tag ?? '']);
    if (result.rowCount !== 1) {
      throw new MailmonError('credential_changed', `The ${type} ${owner} changed while it was being re-encrypted; nothing was changed.`, {
        hint: 'Run the command again (another mailmon process saved a credential at the same moment).',
      });
    }
  }
}
