/**
 * `mailmon credentials rewrap`: re-encrypts every file-store envelope (credentials and
 * secrets) under the current key, given the key they were sealed with.
 *
 * Guarantees: all or nothing. Every envelope is decrypted first; if any one does not open
 * with the old key, nothing is written. Then all of them are swapped in ONE transaction
 * (CredentialEnvelopes.replaceAll) that also checks no row changed meanwhile. Envelopes already under the current
 * key and keychain entries are left alone. Keys are taken from a file or the environment,
 * never from a flag value (it would show in `ps`), and never printed: only key ids are.
 */
import { MailmonError } from '../core/errors.js';
import {
  associatedDataFor,
  ENCRYPTION_KEY_ENV,
  envelopeOfRow,
  fieldsOfEnvelope,
  GENERATE_KEY_HINT,
  OLD_ENCRYPTION_KEY_ENV,
  openEnvelope,
  sealEnvelope,
} from '../core/envelope.js';
import type { EnvelopeReplacement, EnvelopeRow } from './ports/credential-envelopes.js';
import type { EncryptionKey, EncryptionKeys } from './ports/encryption-keys.js';
import type { Storage } from './ports/storage.js';

export interface RewrapDeps {
  storage: Pick<Storage, 'credentialEnvelopes'>;
  keys: EncryptionKeys;
  now: () => number;
}

export interface RewrapInput {
  /** A file holding the old key (base64), instead of MAILMON_OLD_ENCRYPTION_KEY or the key file. */
  oldKeyFile?: string;
}

export interface RewrapResult {
  /** null only when there is no key and nothing to rewrap. */
  currentKeyId: string | null;
  currentKeySource: 'env' | 'file' | null;
  oldKeyId: string | null;
  /** Where the old key came from: the --old-key-file path, the env var, or the home's key file. */
  oldKeySource: 'old-key-file' | 'env' | 'key-file' | null;
  rewrapped: Array<{ type: 'credential' | 'secret'; id: string }>;
  alreadyCurrent: number;
  inKeychain: number;
  /** Set when the home's key file was the old key: it no longer opens anything rewrapped. */
  retiredKeyFile?: string;
}

export async function rewrapCredentials(deps: RewrapDeps, input: RewrapInput = {}): Promise<RewrapResult> {
  const rows = await deps.storage.credentialEnvelopes.list();
  const fileRows = rows.filter((row) => row.store === 'file');
  const current = await deps.keys.current();
  if (!current && fileRows.length === 0) {
    return { currentKeyId: null, currentKeySource: null, oldKeyId: null, oldKeySource: null, rewrapped: [], alreadyCurrent: 0, inKeychain: rows.length };
  }
  if (!current) {
    throw new MailmonError('encryption_key_invalid', `There is no current encryption key: ${ENCRYPTION_KEY_ENV} is not set and ${deps.keys.keyFileLocation} does not exist.`, {
      hint: `Set ${ENCRYPTION_KEY_ENV} to the new key. ${GENERATE_KEY_HINT}`,
    });
  }
  const old = await resolveOldKey(deps, input, current);
  const stale = fileRows.filter((row) => row.keyId !== current.keyId);

  const result: RewrapResult = {
    currentKeyId: current.keyId,
    currentKeySource: current.source === 'env' ? 'env' : 'file',
    oldKeyId: old?.key.keyId ?? null,
    oldKeySource: old?.source ?? null,
    rewrapped: [],
    alreadyCurrent: fileRows.length - stale.length,
    inKeychain: rows.length - fileRows.length,
  };
  if (stale.length === 0) return result;
  if (!old) {
    throw new MailmonError('credential_unreadable', `${count(stale.length, 'envelope')} ${stale.length === 1 ? 'is' : 'are'} sealed with another key (${distinct(stale.map((row) => row.keyId))}) and no old key was given.`, {
      hint: `Give the key they were sealed with: --old-key-file PATH (a file holding it in base64) or ${OLD_ENCRYPTION_KEY_ENV}. Nothing was changed.`,
    });
  }

  // Phase 1: open everything. Any failure aborts before a single write.
  const replacements = resealAll(stale, old.key, current);
  // Phase 2: one transaction swaps them all.
  await deps.storage.credentialEnvelopes.replaceAll(replacements, deps.now());
  result.rewrapped = replacements.map((replacement) => ({ type: replacement.type, id: replacement.owner }));
  if (old.source === 'key-file' && current.source === 'env') result.retiredKeyFile = deps.keys.keyFileLocation;
  return result;
}

/** Every stale envelope opened with the old key and sealed under the current one; credential_unreadable if any does not open. */
function resealAll(stale: EnvelopeRow[], oldKey: EncryptionKey, current: EncryptionKey): EnvelopeReplacement[] {
  const replacements: EnvelopeReplacement[] = [];
  const failed: Array<{ type: string; id: string; keyId: string | null }> = [];
  for (const row of stale) {
    const associatedData = associatedDataFor(row.type, row.owner);
    let plaintext: string;
    try {
      plaintext = openEnvelope(envelopeOfRow(row), oldKey.key, associatedData);
    } catch {
      failed.push({ type: row.type, id: row.owner, keyId: row.keyId });
      continue;
    }
    const next = sealEnvelope({ key: current.key, keyId: current.keyId, plaintext, associatedData });
    replacements.push({ type: row.type, owner: row.owner, expected: row, next: fieldsOfEnvelope(next) });
  }
  if (failed.length > 0) {
    const names = failed.slice(0, 3).map((item) => `${item.type} ${item.id}`).join(', ') + (failed.length > 3 ? ` and ${failed.length - 3} more` : '');
    throw new MailmonError('credential_unreadable', `${count(failed.length, 'envelope')} ${failed.length === 1 ? 'does' : 'do'} not open with the old key ${oldKey.keyId} (${names}); nothing was changed.`, {
      hint: `Give the key they were sealed with (key id ${distinct(failed.map((item) => item.keyId))}) via --old-key-file PATH or ${OLD_ENCRYPTION_KEY_ENV}; "mailmon credentials audit" lists every envelope's key id.`,
      details: { oldKeyId: oldKey.keyId, failed },
    });
  }
  return replacements;
}

async function resolveOldKey(deps: RewrapDeps, input: RewrapInput, current: EncryptionKey): Promise<{ key: EncryptionKey; source: NonNullable<RewrapResult['oldKeySource']> } | undefined> {
  if (input.oldKeyFile !== undefined) {
    const key = await deps.keys.fromFile(input.oldKeyFile);
    if (!key) {
      // Someone who pasted the key itself must not see it echoed back into their terminal or CI log.
      const looksLikeKey = /^[A-Za-z0-9+/]{42,44}={0,2}$/.test(input.oldKeyFile.trim());
      throw new MailmonError('encryption_key_invalid', looksLikeKey ? '--old-key-file takes the PATH of a file holding the old key, not the key itself.' : `The old key file ${input.oldKeyFile} does not exist.`, {
        hint: `Put the old key (base64) in a file and pass its path, or set ${OLD_ENCRYPTION_KEY_ENV}.${looksLikeKey ? ' That key is now in your shell history: rotate it once the rewrap is done.' : ''}`,
      });
    }
    return { key, source: 'old-key-file' };
  }
  const fromEnv = await deps.keys.oldFromEnv();
  if (fromEnv) return { key: fromEnv, source: 'env' };
  // The typical case: the home had a generated key file and MAILMON_ENCRYPTION_KEY is now set.
  if (current.source === 'env') {
    const key = await deps.keys.keyFile();
    if (key) return { key, source: 'key-file' };
  }
  return undefined;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function distinct(values: Array<string | null>): string {
  return [...new Set(values.map((value) => value ?? '?'))].join(', ');
}
