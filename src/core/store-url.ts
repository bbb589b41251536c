/**
 * Which store a process uses: the SQLite file in MAILMON_HOME (the default, needs nothing), or
 * a shared PostgreSQL database named by the `store.url` setting — MAILMON_DATABASE_URL wins
 * over it. A URL is accepted only as postgres:// or postgresql:// with a host; anything else is
 * refused naming where it came from. Passwords never appear in messages: `redactStoreUrl`.
 */
import { MailmonError } from './errors.js';

export const STORE_URL_SETTING = 'store.url';
export const STORE_URL_ENV = 'MAILMON_DATABASE_URL';

export type SelectedStore =
  | { kind: 'sqlite' }
  | { kind: 'postgres'; url: string; /** For messages: the URL without its password. */ display: string; source: 'env' | 'file' };

const PROTOCOLS = new Set(['postgres:', 'postgresql:']);

/** The URL with its password (and any password query parameter) masked. Never throws. */
export function redactStoreUrl(value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.password) parsed.password = '****';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '****');
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

/** Checks a store URL; `origin` names the setting or variable it came from, for the error. */
export function validateStoreUrl(value: string, origin: string = STORE_URL_SETTING): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !PROTOCOLS.has(parsed.protocol) || parsed.hostname === '') {
    throw new MailmonError('config_bad_value', `Invalid value "${redactStoreUrl(value)}" for ${origin}: not a PostgreSQL URL.`, {
      hint: `Expected postgres://USER:PASSWORD@HOST:PORT/DATABASE (or postgresql://…). Unset ${STORE_URL_ENV} and store.url to use the SQLite store in MAILMON_HOME.`,
    });
  }
  return value;
}

/**
 * The store the settings select, from the config file's settings and the environment (as
 * resolveSetting reads them: a non-empty MAILMON_DATABASE_URL wins over store.url). Pure.
 */
export function selectStore(file: Record<string, string>, env: Record<string, string | undefined>): SelectedStore {
  const fromEnv = env[STORE_URL_ENV];
  const fileUrl = file[STORE_URL_SETTING];
  if (fromEnv !== undefined && fromEnv !== '') return postgres(fromEnv, 'env', STORE_URL_ENV);
  if (fileUrl !== undefined && fileUrl !== '') return postgres(fileUrl, 'file', STORE_URL_SETTING);
  return { kind: 'sqlite' };
}

function postgres(url: string, source: 'env' | 'file', origin: string): SelectedStore {
  return { kind: 'postgres', url: validateStoreUrl(url, origin), display: redactStoreUrl(url), source };
}
