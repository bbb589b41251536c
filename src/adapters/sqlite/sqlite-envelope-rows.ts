/**
 * The rows of `credentials` (one per mailbox) and `secrets` (named, home-wide) as one shape:
 * a stored envelope (store=file) or a pointer into the OS keychain (store=keychain). These
 * rows never hold plaintext. `replaceEnvelopes` swaps many envelopes in ONE transaction and
 * only if none of them changed since they were read, so a rewrap is all or nothing.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { MailmonError } from '../../core/errors.js';
import type { SqliteStore } from './database.js';
import { credentials, mailboxes, secrets } from './schema.js';
import { ormFor } from './orm.js';
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

export function getEnvelopeRow(store: SqliteStore, type: EnvelopeOwnerType, owner: string): EnvelopeRow | undefined {
  if (type === 'credential') {
    const row = ormFor(store.sqlite).select().from(credentials).where(eq(credentials.mailboxId, owner)).get();
    return row ? { type, owner: row.mailboxId, ...pick(row), clientId: row.clientId, scope: row.scope } : undefined;
  }
  const row = ormFor(store.sqlite).select().from(secrets).where(eq(secrets.name, owner)).get();
  return row ? { type, owner: row.name, ...pick(row), clientId: null, scope: null } : undefined;
}

export function listEnvelopeRows(store: SqliteStore): EnvelopeRow[] {
  const credentialRows = ormFor(store.sqlite).select().from(credentials).orderBy(credentials.mailboxId).all()
    .map((row): EnvelopeRow => ({ type: 'credential', owner: row.mailboxId, ...pick(row), clientId: row.clientId, scope: row.scope }));
  const secretRows = ormFor(store.sqlite).select().from(secrets).orderBy(secrets.name).all()
    .map((row): EnvelopeRow => ({ type: 'secret', owner: row.name, ...pick(row), clientId: null, scope: null }));
  return [...credentialRows, ...secretRows];
}

/** Inserts or replaces a row; a credential's mailbox must exist (else mailbox_not_found). */
export function upsertEnvelopeRow(store: SqliteStore, type: EnvelopeOwnerType, owner: string, write: EnvelopeRowWrite, now: number): void {
  const fields = {
    store: write.store,
    envelopeVersion: write.envelopeVersion,
    keyId: write.keyId,
    nonce: write.nonce,
    tag: write.tag,
    ciphertext: write.ciphertext,
    updatedAt: now,
  };
  if (type === 'secret') {
    ormFor(store.sqlite).insert(secrets).values({ name: owner, ...fields, createdAt: now })
      .onConflictDoUpdate({ target: secrets.name, set: fields }).run();
    return;
  }
  assertMailboxExists(store, owner);
  const withMeta = { ...fields, clientId: write.clientId ?? null, scope: write.scope ?? null };
  ormFor(store.sqlite).insert(credentials).values({ mailboxId: owner, ...withMeta, createdAt: now })
    .onConflictDoUpdate({ target: credentials.mailboxId, set: withMeta }).run();
}

function assertMailboxExists(store: SqliteStore, mailboxId: string): void {
  const found = ormFor(store.sqlite).select({ id: mailboxes.id }).from(mailboxes).where(eq(mailboxes.id, mailboxId)).get();
  if (!found) {
    throw new MailmonError('mailbox_not_found', `No mailbox ${mailboxId}.`, { hint: 'Run "mailmon mailboxes" to list mailboxes.' });
  }
}

export function deleteEnvelopeRow(store: SqliteStore, type: EnvelopeOwnerType, owner: string): boolean {
  const result = type === 'credential'
    ? ormFor(store.sqlite).delete(credentials).where(eq(credentials.mailboxId, owner)).run()
    : ormFor(store.sqlite).delete(secrets).where(eq(secrets.name, owner)).run();
  return result.changes > 0;
}


export function mailboxesWithoutCredential(store: SqliteStore): MailboxWithoutCredential[] {
  return ormFor(store.sqlite)
    .select({ mailboxId: mailboxes.id, emailAddress: mailboxes.emailAddress, status: mailboxes.status })
    .from(mailboxes)
    .leftJoin(credentials, eq(credentials.mailboxId, mailboxes.id))
    .where(isNull(credentials.mailboxId))
    .orderBy(mailboxes.id)
    .all();
}



/** Swaps every envelope in one IMMEDIATE transaction, or none if any row changed meanwhile. */
export function replaceEnvelopes(store: SqliteStore, replacements: EnvelopeReplacement[], now: number): void {
  const swap = store.sqlite.transaction(() => {
    for (const replacement of replacements) {
      const { expected, next } = replacement;
      const set = { ...next, updatedAt: now };
      const result = replacement.type === 'credential'
        ? ormFor(store.sqlite).update(credentials).set(set).where(and(
          eq(credentials.mailboxId, replacement.owner), eq(credentials.store, 'file'),
          eq(credentials.nonce, expected.nonce ?? ''), eq(credentials.ciphertext, expected.ciphertext ?? ''), eq(credentials.tag, expected.tag ?? ''),
        )).run()
        : ormFor(store.sqlite).update(secrets).set(set).where(and(
          eq(secrets.name, replacement.owner), eq(secrets.store, 'file'),
          eq(secrets.nonce, expected.nonce ?? ''), eq(secrets.ciphertext, expected.ciphertext ?? ''), eq(secrets.tag, expected.tag ?? ''),
        )).run();
      if (result.changes !== 1) {
        throw new MailmonError('credential_changed', `The ${replacement.type} ${replacement.owner} changed while it was being re-encrypted; nothing was changed.`, {
          hint: 'Run the command again (another mailmon process saved a credential at the same moment).',
        });
      }
    }
  });
  swap.immediate();
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
