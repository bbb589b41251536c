/**
 * The rows of `credentials` (one per mailbox) and `secrets` (named, home-wide) as one shape:
 * a stored envelope (store=file) or a pointer into the OS keychain (store=keychain). These
 * rows never hold plaintext. `replaceEnvelopes` swaps many envelopes in ONE transaction and
 * only if none of them changed since they were read, so a rewrap is all or nothing.
 */
import { MailmonError } from '../../core/errors.js';
import type { SqliteStore } from './database.js';
import type {
  CredentialEnvelopes,
  EnvelopeOwnerType,
  EnvelopeReplacement,
  EnvelopeRow,
  EnvelopeRowWrite,
  MailboxWithoutCredential,
  StoredEnvelopeFields,
} from '../../app/ports/credential-envelopes.js';

export type { EnvelopeOwnerType, EnvelopeReplacement, EnvelopeRow, EnvelopeRowWrite, MailboxWithoutCredential, SecretStoreKind, StoredEnvelopeFields } from '../../app/ports/credential-envelopes.js';

/** The CredentialEnvelopes port on one SQLite store. */
export function sqliteCredentialEnvelopes(store: SqliteStore): CredentialEnvelopes {
  return {
    get: async (type, owner) => getEnvelopeRow(store, type, owner),
    list: async () => listEnvelopeRows(store),
    upsert: async (type, owner, write, now) => upsertEnvelopeRow(store, type, owner, write, now),
    delete: async (type, owner) => deleteEnvelopeRow(store, type, owner),
    replaceAll: async (replacements, now) => replaceEnvelopes(store, replacements, now),
    mailboxesWithoutCredential: async () => mailboxesWithoutCredential(store),
  };
}

/** A row as the select statements below return it: the port's row before its type is known. */
type StoredRow = Omit<EnvelopeRow, 'type'>;

const FIELDS = 'store, envelope_version as envelopeVersion, key_id as keyId, nonce, tag, ciphertext, created_at as createdAt, updated_at as updatedAt';
const SELECT_CREDENTIALS = `select mailbox_id as owner, ${FIELDS}, client_id as clientId, scope from credentials`;
const SELECT_SECRETS = `select name as owner, ${FIELDS}, null as clientId, null as scope from secrets`;

function toRow(type: EnvelopeOwnerType, row: StoredRow): EnvelopeRow {
  return { type, owner: row.owner, ...pick(row), clientId: row.clientId, scope: row.scope };
}

export function getEnvelopeRow(store: SqliteStore, type: EnvelopeOwnerType, owner: string): EnvelopeRow | undefined {
  const sql = type === 'credential' ? `${SELECT_CREDENTIALS} where mailbox_id = ?` : `${SELECT_SECRETS} where name = ?`;
  const row = store.sqlite.prepare(sql).get(owner) as StoredRow | undefined;
  return row ? toRow(type, row) : undefined;
}

export function listEnvelopeRows(store: SqliteStore): EnvelopeRow[] {
  const credentialRows = (store.sqlite.prepare(`${SELECT_CREDENTIALS} order by mailbox_id`).all() as StoredRow[]).map((row) => toRow('credential', row));
  const secretRows = (store.sqlite.prepare(`${SELECT_SECRETS} order by name`).all() as StoredRow[]).map((row) => toRow('secret', row));
  return [...credentialRows, ...secretRows];
}

/** Inserts or replaces a row; a credential's mailbox must exist (else mailbox_not_found). */
export function upsertEnvelopeRow(store: SqliteStore, type: EnvelopeOwnerType, owner: string, write: EnvelopeRowWrite, now: number): void {
  const fields = { owner, store: write.store, ...storedFields(write), now };
  const values = ':store, :envelopeVersion, :keyId, :nonce, :tag, :ciphertext';
  const updates = 'store = excluded.store, envelope_version = excluded.envelope_version, key_id = excluded.key_id, nonce = excluded.nonce, tag = excluded.tag, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at';
  if (type === 'secret') {
    store.sqlite.prepare(`insert into secrets (name, store, envelope_version, key_id, nonce, tag, ciphertext, created_at, updated_at) values (:owner, ${values}, :now, :now)
      on conflict (name) do update set ${updates}`).run(fields);
    return;
  }
  assertMailboxExists(store, owner);
  store.sqlite.prepare(`insert into credentials (mailbox_id, store, envelope_version, key_id, nonce, tag, ciphertext, client_id, scope, created_at, updated_at) values (:owner, ${values}, :clientId, :scope, :now, :now)
    on conflict (mailbox_id) do update set ${updates}, client_id = excluded.client_id, scope = excluded.scope`).run({ ...fields, clientId: write.clientId ?? null, scope: write.scope ?? null });
}

function assertMailboxExists(store: SqliteStore, mailboxId: string): void {
  const found = store.sqlite.prepare('select id from mailboxes where id = ?').get(mailboxId);
  if (!found) {
    throw new MailmonError('mailbox_not_found', `No mailbox ${mailboxId}.`, { hint: 'Run "mailmon mailboxes" to list mailboxes.' });
  }
}

export function deleteEnvelopeRow(store: SqliteStore, type: EnvelopeOwnerType, owner: string): boolean {
  const sql = type === 'credential' ? 'delete from credentials where mailbox_id = ?' : 'delete from secrets where name = ?';
  return store.sqlite.prepare(sql).run(owner).changes > 0;
}

export function mailboxesWithoutCredential(store: SqliteStore): MailboxWithoutCredential[] {
  return store.sqlite.prepare(`select m.id as mailboxId, m.email_address as emailAddress, m.status from mailboxes m
    left join credentials c on c.mailbox_id = m.id where c.mailbox_id is null order by m.id`).all() as MailboxWithoutCredential[];
}

/** Swaps every envelope in one IMMEDIATE transaction, or none if any row changed meanwhile. */
export function replaceEnvelopes(store: SqliteStore, replacements: EnvelopeReplacement[], now: number): void {
  const swap = store.sqlite.transaction(() => {
    for (const replacement of replacements) {
      const table = replacement.type === 'credential' ? { name: 'credentials', key: 'mailbox_id' } : { name: 'secrets', key: 'name' };
      const { expected, next } = replacement;
      const result = store.sqlite.prepare(`update ${table.name} set envelope_version = :envelopeVersion, key_id = :keyId, nonce = :nonce, tag = :tag, ciphertext = :ciphertext, updated_at = :now
        where ${table.key} = :owner and store = 'file' and nonce = :expectedNonce and ciphertext = :expectedCiphertext and tag = :expectedTag`).run({
        ...storedFields(next), now, owner: replacement.owner, expectedNonce: expected.nonce ?? '', expectedCiphertext: expected.ciphertext ?? '', expectedTag: expected.tag ?? '',
      });
      if (result.changes !== 1) {
        throw new MailmonError('credential_changed', `The ${replacement.type} ${replacement.owner} changed while it was being re-encrypted; nothing was changed.`, {
          hint: 'Run the command again (another mailmon process saved a credential at the same moment).',
        });
      }
    }
  });
  swap.immediate();
}

/** The envelope's columns as statement parameters (an absent field is NULL). */
function storedFields(fields: StoredEnvelopeFields): StoredEnvelopeFields {
  return { envelopeVersion: fields.envelopeVersion ?? null, keyId: fields.keyId ?? null, nonce: fields.nonce ?? null, tag: fields.tag ?? null, ciphertext: fields.ciphertext ?? null };
}

function pick(row: StoredEnvelopeFields & { store: string; createdAt: number; updatedAt: number }) {
  return {
    store: row.store,
    envelopeVersion: row.envelopeVersion,
    keyId: row.keyId,
    nonce: row.nonce,
    tag: row.tag,
    ciphertext: row.ciphertext,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
