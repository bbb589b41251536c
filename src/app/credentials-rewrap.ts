/**
 * `mailmon credentials rewrap`: re-encrypts every file-store envelope (credentials and
 * secrets) under the current key, given the key they were sealed with.
 *
 * Guarantees: all or nothing. Every envelope is decrypted first; if any one does not open
 * with the old key, nothing is written. Then all of them are swapped in ONE SQLite
 * transaction that also checks no row changed meanwhile. Envelopes already under the current
 * key and keychain entries are left alone. Keys are taken from a file or the environment,
 * never from a flag value (it would show in `ps`), and never printed: only key ids are.
 */
import { MailmonError } from '../core/errors.js';
import type { HomeLayout } from '../adapters/system/home.js';
import type { SqliteStore } from '../adapters/sqlite/database.js';
import { listEnvelopeRows, replaceEnvelopes, type EnvelopeReplacement } from '../adapters/sqlite/sqlite-envelope-rows.js';
import { associatedDataFor, envelopeOfRow, fieldsOfEnvelope } from '../adapters/secrets/credential-vault.js';
import {
  ENCRYPTION_KEY_ENV,
  GENERATE_KEY_HINT,
  keyFromEnv,
  OLD_ENCRYPTION_KEY_ENV,
  parseEncryptionKey,
  readKeyFile,
  type EncryptionKey,
} from '../adapters/secrets/encryption-key.js';
import { keyIdOf, openEnvelope, sealEnvelope } from '../adapters/secrets/envelope.js';

export interface RewrapDeps {
  store: SqliteStore;
  home: HomeLayout;
  env: NodeJS.ProcessEnv;
  now?: () => number;
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
  const rows = listEnvelopeRows(deps.store);
  const fileRows = rows.filter((row) => row.store === 'file');
  const current = keyFromEnv(deps.env) ?? readKeyFile(deps.home.keyFile);
  if (!current && fileRows.length === 0) {
    return { currentKeyId: null, currentKeySource: null, oldKeyId: null, oldKeySource: null, rewrapped: [], alreadyCurrent: 0, inKeychain: rows.length };
  }
  if (!current) {
    throw new MailmonError('encryption_key_invalid', `There is no current encryption key: ${ENCRYPTION_KEY_ENV} is not set and ${deps.home.keyFile} does not exist.`, {
      hint: `Set ${ENCRYPTION_KEY_ENV} to the new key. ${GENERATE_KEY_HINT}`,
    });
  }
  const old = resolveOldKey(deps, input, current);
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
  const replacements: EnvelopeReplacement[] = [];
  const failed: Array<{ type: string; id: string; keyId: string | null }> = [];
  for (const row of stale) {
    const associatedData = associatedDataFor(row.type, row.owner);
    let plaintext: string;
    try {
      plaintext = openEnvelope(envelopeOfRow(row), old.key.key, associatedData);
    } catch {
      failed.push({ type: row.type, id: row.owner, keyId: row.keyId });
      continue;
    }
    const next = sealEnvelope({ key: current.key, keyId: current.keyId, plaintext, associatedData });
    replacements.push({ type: row.type, owner: row.owner, expected: row, next: fieldsOfEnvelope(next) });
  }
  if (failed.length > 0) {
    const names = failed.slice(0, 3).map((item) => `${item.type} ${item.id}`).join(', ') + (failed.length > 3 ? ` and ${failed.length - 3} more` : '');
    throw new MailmonError('credential_unreadable', `${count(failed.length, 'envelope')} ${failed.length === 1 ? 'does' : 'do'} not open with the old key ${old.key.keyId} (${names}); nothing was changed.`, {
      hint: `Give the key they were sealed with (key id ${distinct(failed.map((item) => item.keyId))}) via --old-key-file PATH or ${OLD_ENCRYPTION_KEY_ENV}; "mailmon credentials audit" lists every envelope's key id.`,
      details: { oldKeyId: old.key.keyId, failed },
    });
  }

  // Phase 2: one transaction swaps them all.
  replaceEnvelopes(deps.store, replacements, (deps.now ?? Date.now)());
  result.rewrapped = replacements.map((replacement) => ({ type: replacement.type, id: replacement.owner }));
  if (old.source === 'key-file' && current.source === 'env') result.retiredKeyFile = deps.home.keyFile;
  return result;
}

function resolveOldKey(deps: RewrapDeps, input: RewrapInput, current: EncryptionKey): { key: EncryptionKey; source: NonNullable<RewrapResult['oldKeySource']> } | undefined {
  if (input.oldKeyFile !== undefined) {
    const key = readKeyFile(input.oldKeyFile, 'old-file');
    if (!key) {
      // Someone who pasted the key itself must not see it echoed back into their terminal or CI log.
      const looksLikeKey = /^[A-Za-z0-9+/]{42,44}={0,2}$/.test(input.oldKeyFile.trim());
      throw new MailmonError('encryption_key_invalid', looksLikeKey ? '--old-key-file takes the PATH of a file holding the old key, not the key itself.' : `The old key file ${input.oldKeyFile} does not exist.`, {
        hint: `Put the old key (base64) in a file and pass its path, or set ${OLD_ENCRYPTION_KEY_ENV}.${looksLikeKey ? ' That key is now in your shell history: rotate it once the rewrap is done.' : ''}`,
      });
    }
    return { key, source: 'old-key-file' };
  }
  const fromEnv = deps.env[OLD_ENCRYPTION_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    const key = parseEncryptionKey(fromEnv, OLD_ENCRYPTION_KEY_ENV);
    return { key: { key, keyId: keyIdOf(key), source: 'old-env' }, source: 'env' };
  }
  // The typical case: the home had a generated key file and MAILMON_ENCRYPTION_KEY is now set.
  if (current.source === 'env') {
    const key = readKeyFile(deps.home.keyFile);
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
