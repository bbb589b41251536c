/**
 * Where the envelope key comes from: `MAILMON_ENCRYPTION_KEY` (standard base64
 * of exactly 32 bytes) when set, otherwise a generated key file at `home.keyFile`.
 *
 * Guarantees: a bad key is a clear `encryption_key_invalid` that says how to make a good one
 * and never echoes the value; the key file is 0600 in a 0700 directory; creating it is atomic
 * (the key is written to a private temp file, then hard-linked into place only if absent), so
 * processes racing on a fresh home all end up with the one key that won. Reading never creates.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MailmonError } from '../../core/errors.js';
import type { HomeLayout } from '../system/home.js';
import { ensurePrivateDir } from '../system/home.js';
import { keyIdOf, strictBase64 } from '../../core/envelope.js';
import type { EncryptionKey, EncryptionKeys } from '../../app/ports/encryption-keys.js';

import { ENCRYPTION_KEY_ENV, GENERATE_KEY_HINT, OLD_ENCRYPTION_KEY_ENV } from '../../core/envelope.js';

export { ENCRYPTION_KEY_ENV, GENERATE_KEY_HINT, OLD_ENCRYPTION_KEY_ENV } from '../../core/envelope.js';

export type { EncryptionKey } from '../../app/ports/encryption-keys.js';

/**
 * Parses a base64 key. `label` names where it came from (an env var or a file) for the
 * message; the value itself never appears in it.
 */
export function parseEncryptionKey(text: string, label: string): Buffer {
  const trimmed = text.trim();
  if (trimmed === '') throw invalidKey(`${label} is empty.`);
  const bytes = strictBase64(padBase64(trimmed));
  if (!bytes) throw invalidKey(`${label} is not standard base64.`);
  if (bytes.length !== 32) throw invalidKey(`${label} decodes to ${bytes.length} bytes; it must be exactly 32.`);
  return bytes;
}

function padBase64(text: string): string {
  return text.length % 4 === 0 ? text : text + '='.repeat(4 - (text.length % 4));
}

function invalidKey(message: string): MailmonError {
  return new MailmonError('encryption_key_invalid', message, { hint: GENERATE_KEY_HINT });
}

/** The key set in the environment, if any (invalid → error, even when it would not be used). */
export function keyFromEnv(env: NodeJS.ProcessEnv): EncryptionKey | undefined {
  const value = env[ENCRYPTION_KEY_ENV];
  if (value === undefined || value === '') return undefined;
  const key = parseEncryptionKey(value, ENCRYPTION_KEY_ENV);
  return { key, keyId: keyIdOf(key), source: 'env' };
}

/** Reads a key file (base64 text). Missing → undefined; unreadable or malformed → error. */
export function readKeyFile(file: string, source: 'file' | 'old-file' = 'file'): EncryptionKey | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EISDIR') throw new MailmonError('encryption_key_invalid', `The key file ${file} is a directory.`, { hint: 'Point at the file that holds the base64 key.' });
    if (code === 'EACCES' || code === 'EPERM') {
      throw new MailmonError('encryption_key_invalid', `The key file ${file} is not readable.`, { hint: `Fix its owner and permissions (chmod 600 ${file}).` });
    }
    throw error;
  }
  const key = parseEncryptionKey(text, `The key file ${file}`);
  return { key, keyId: keyIdOf(key), source, file };
}

/** The current key without side effects: env, else the key file, else undefined. */
export function currentEncryptionKey(home: HomeLayout, env: NodeJS.ProcessEnv): EncryptionKey | undefined {
  return keyFromEnv(env) ?? readKeyFile(home.keyFile);
}

/** The current key, generating the key file when neither env nor file has one. */
export function currentOrNewEncryptionKey(home: HomeLayout, env: NodeJS.ProcessEnv): EncryptionKey {
  return keyFromEnv(env) ?? readKeyFile(home.keyFile) ?? createKeyFile(home.keyFile);
}

/**
 * Creates the key file if absent and returns whatever key is in it afterwards. link(2) fails
 * with EEXIST when another process got there first; then its key is the key.
 */
export function createKeyFile(file: string): EncryptionKey {
  ensurePrivateDir(path.dirname(file), 'Key');
  const temp = `${file}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.writeSync(fd, `${crypto.randomBytes(32).toString('base64')}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  const created = readKeyFile(file);
  if (!created) throw new MailmonError('home_not_writable', `Could not create the key file ${file}.`, { hint: 'Check that MAILMON_HOME is writable.' });
  return created;
}

/** The EncryptionKeys port over a home's key file and the environment. */
export function fileEncryptionKeys(home: Pick<HomeLayout, 'keyFile'>, env: NodeJS.ProcessEnv): EncryptionKeys {
  return {
    keyFileLocation: home.keyFile,
    current: async () => keyFromEnv(env) ?? readKeyFile(home.keyFile),
    keyFile: async () => readKeyFile(home.keyFile),
    async oldFromEnv() {
      const value = env[OLD_ENCRYPTION_KEY_ENV];
      if (value === undefined || value === '') return undefined;
      const key = parseEncryptionKey(value, OLD_ENCRYPTION_KEY_ENV);
      return { key, keyId: keyIdOf(key), source: 'old-env' };
    },
    fromFile: async (file) => readKeyFile(file, 'old-file'),
  };
}

/**
 * The EncryptionKeys port for a store shared by many machines: the current key is the
 * environment's only (every machine has it; a home's key file is on one machine). The key file
 * is still offered as an old key, so a rewrap can move envelopes copied from a SQLite home onto
 * the shared key.
 */
export function sharedStoreEncryptionKeys(home: Pick<HomeLayout, 'keyFile'>, env: NodeJS.ProcessEnv): EncryptionKeys {
  return { ...fileEncryptionKeys(home, env), current: async () => keyFromEnv(env) };
}
