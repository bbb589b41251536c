/**
 * The stored rows behind credentials (one per mailbox) and named secrets, as one shape: an
 * envelope (store=file) or a pointer into the OS keychain (store=keychain). Rows never hold
 * plaintext. `replaceAll` is the rewrap's one transaction: every envelope is swapped, or none.
 */
import type { EnvelopeOwnerType, StoredEnvelopeFields } from '../../core/envelope.js';

export type { EnvelopeOwnerType, StoredEnvelopeFields } from '../../core/envelope.js';
export type SecretStoreKind = 'keychain' | 'file';

export interface EnvelopeRow extends StoredEnvelopeFields {
  type: EnvelopeOwnerType;
  /** The mailbox id (credential) or the secret's name. */
  owner: string;
  store: string;
  clientId: string | null;
  scope: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface EnvelopeRowWrite extends StoredEnvelopeFields {
  store: SecretStoreKind;
  clientId?: string | null;
  scope?: string | null;
}

export interface EnvelopeReplacement {
  type: EnvelopeOwnerType;
  owner: string;
  /** The row as read before re-encrypting: the swap happens only if it is still exactly this. */
  expected: StoredEnvelopeFields;
  next: StoredEnvelopeFields;
}

export interface MailboxWithoutCredential {
  mailboxId: string;
  emailAddress: string;
  status: string;
}

export interface CredentialEnvelopes {
  get(type: EnvelopeOwnerType, owner: string): Promise<EnvelopeRow | undefined>;
  /** Credentials ordered by mailbox id, then secrets ordered by name. */
  list(): Promise<EnvelopeRow[]>;
  /** Inserts or replaces a row; a credential's mailbox must exist (else mailbox_not_found). */
  upsert(type: EnvelopeOwnerType, owner: string, write: EnvelopeRowWrite, now: number): Promise<void>;
  /** true when a row was deleted. */
  delete(type: EnvelopeOwnerType, owner: string): Promise<boolean>;
  /**
   * Swaps every file-store envelope in ONE transaction, only if none changed since it was read;
   * otherwise credential_changed and every row stays as it was.
   */
  replaceAll(replacements: EnvelopeReplacement[], now: number): Promise<void>;
  /** Mailboxes with no credential row, ordered by id. */
  mailboxesWithoutCredential(): Promise<MailboxWithoutCredential[]>;
}
