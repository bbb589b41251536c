/**
 * The credential vault as use cases see it: a refresh token per mailbox and named home-wide
 * secrets. Where a value lives (the OS keychain or an encrypted row) is the implementation's
 * choice; no method other than the load methods ever returns a value.
 */
import type { EnvelopeRow } from './credential-envelopes.js';

export interface CredentialVault {
  /** mailbox_not_found when the mailbox does not exist; never stores an empty value. */
  saveRefreshToken(mailboxId: string, refreshToken: string, meta?: { clientId?: string; scope?: string }): Promise<void>;
  /** MailmonError credential_missing (none stored) | credential_unreadable (stored, cannot be opened). */
  loadRefreshToken(mailboxId: string): Promise<string>;
  /** true when a credential was deleted. */
  deleteCredential(mailboxId: string): Promise<boolean>;
  saveSecret(name: string, value: string): Promise<void>;
  loadSecret(name: string): Promise<string | undefined>;
  deleteSecret(name: string): Promise<boolean>;
}

/** Named secrets (webhook signing secrets): what the endpoint use cases need of the vault. */
export type Secrets = Pick<CredentialVault, 'saveSecret' | 'loadSecret' | 'deleteSecret'>;

export type SecretStoreSetting = 'keychain' | 'file' | 'auto';

/** What `credentials audit` asks of the secret stores, without ever seeing a value. */
export interface SecretStoreInspector {
  /** The configured setting: where new values go. */
  setting(): Promise<SecretStoreSetting>;
  probeKeychain(): Promise<{ available: boolean; reason?: string }>;
  /** Resolves when the value a row stands for can be read now; else a MailmonError saying why and what to do. */
  assertReadable(row: EnvelopeRow): Promise<void>;
}
