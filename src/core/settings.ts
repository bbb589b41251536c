/**
 * The settings users can change (`mailmon config set KEY VALUE`) and the environment
 * variables that override them. One table: key → env var, default, validator. Unknown keys
 * and bad values are rejected with the list of valid keys.
 */
import { MailmonError } from './errors.js';
import { DURATION_FORMS, parseDuration, parseSchedule } from './durations.js';
import { STORE_URL_ENV, validateStoreUrl } from './store-url.js';

export interface SettingSpec {
  key: string;
  env: string;
  default?: string;
  description: string;
  /** Throws a MailmonError('config_bad_value') on a bad value. */
  validate: (value: string) => void;
  /** Values that must never be printed in full. */
  secret?: boolean;
  /**
   * How a running daemon takes a change (it reloads the config file when it changes):
   * `live` — read at each use (next sync, next attempt, next retention run);
   * `restart` — read once when the daemon starts; `none` — the daemon does not use it.
   */
  daemon: DaemonUse;
}

export type DaemonUse = 'live' | 'restart' | 'none';

/** What `config set` tells the user to run when a running daemon needs a restart. */
export const DAEMON_RESTART_COMMAND = 'mailmon daemon stop && mailmon daemon start';

const duration = (key: string) => (value: string) => {
  try {
    parseDuration(value, key);
  } catch {
    throw badValue(key, value, DURATION_FORMS);
  }
};
const schedule = (key: string) => (value: string) => {
  try {
    parseSchedule(value, key);
  } catch {
    throw badValue(key, value, `comma-separated durations, each ${DURATION_FORMS}`);
  }
};
const positiveNumber = (key: string) => (value: string) => {
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) throw badValue(key, value, 'a positive number');
};
const url = (key: string) => (value: string) => {
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw badValue(key, value, 'an http:// or https:// URL');
  }
};
const oneOf = (key: string, values: string[]) => (value: string) => {
  if (!values.includes(value)) throw badValue(key, value, values.join(', '));
};
const nonEmpty = (key: string) => (value: string) => {
  if (value.trim() === '') throw badValue(key, value, 'a non-empty string');
};

const apiPort = (key: string) => (value: string) => {
  if (value !== 'off' && (!/^\d+$/.test(value) || Number(value) > 65535)) throw badValue(key, value, 'a port number (0-65535) or off');
};

const pubsubName = (key: string, kind: 'topics' | 'subscriptions') => (value: string) => {
  if (!new RegExp(`^projects/[^/]+/${kind}/[A-Za-z][^/]{2,254}$`).test(value)) throw badValue(key, value, `projects/PROJECT/${kind}/NAME`);
};

function badValue(key: string, value: string, expected: string): MailmonError {
  return new MailmonError('config_bad_value', `Invalid value "${value}" for ${key}.`, { hint: `Expected ${expected}.` });
}

export const SETTINGS: readonly SettingSpec[] = [
  { key: 'poll-interval', env: 'MAILMON_POLL_INTERVAL', default: '30s', description: 'How often the daemon (or listen) checks each mailbox', validate: duration('poll-interval'), daemon: 'live' },
  { key: 'quota.units-per-second', env: 'MAILMON_QUOTA_UNITS_PER_SECOND', default: '250', description: 'Client-side Gmail quota limiter per mailbox', validate: positiveNumber('quota.units-per-second'), daemon: 'live' },
  { key: 'listen.retry-schedule', env: 'MAILMON_LISTEN_RETRY_SCHEDULE', default: '1s,5s,30s,60s', description: "listen's retry delays; the last one repeats", validate: schedule('listen.retry-schedule'), daemon: 'none' },
  { key: 'delivery.retry-schedule', env: 'MAILMON_DELIVERY_RETRY_SCHEDULE', default: '0s,1m,5m,30m,2h,8h,24h', description: "Registered endpoints' attempt schedule", validate: schedule('delivery.retry-schedule'), daemon: 'live' },
  { key: 'delivery.timeout', env: 'MAILMON_DELIVERY_TIMEOUT', default: '15s', description: "A delivery attempt's deadline", validate: duration('delivery.timeout'), daemon: 'live' },
  { key: 'retention', env: 'MAILMON_RETENTION', default: '30d', description: 'How long delivered events and attempts are kept', validate: duration('retention'), daemon: 'live' },
  { key: 'sync.emit-backfill', env: 'MAILMON_SYNC_EMIT_BACKFILL', default: 'false', description: 'Emit message.created for every message of an initial full sync', validate: oneOf('sync.emit-backfill', ['true', 'false']), daemon: 'restart' },
  { key: 'sync.fetch-by-thread', env: 'MAILMON_SYNC_FETCH_BY_THREAD', default: 'true', description: 'Fetch a thread of 3+ messages with one threads.get (10 quota units) instead of messages.get each (5)', validate: oneOf('sync.fetch-by-thread', ['true', 'false']), daemon: 'restart' },
  { key: 'gmail.api-url', env: 'MAILMON_GMAIL_API_URL', default: 'https://gmail.googleapis.com/', description: 'Base URL of the Gmail API', validate: url('gmail.api-url'), daemon: 'live' },
  { key: 'oauth.url', env: 'MAILMON_OAUTH_URL', default: 'https://oauth2.googleapis.com/', description: 'Base URL of the OAuth endpoints (authorize, token, revoke)', validate: url('oauth.url'), daemon: 'live' },
  { key: 'oauth.client-id', env: 'MAILMON_GMAIL_OAUTH_CLIENT_ID', description: 'Your Desktop OAuth client id', validate: nonEmpty('oauth.client-id'), daemon: 'live' },
  { key: 'oauth.client-secret', env: 'MAILMON_GMAIL_OAUTH_CLIENT_SECRET', description: 'Your Desktop OAuth client secret', validate: nonEmpty('oauth.client-secret'), secret: true, daemon: 'live' },
  { key: 'push.topic', env: 'MAILMON_PUSH_TOPIC', description: 'Pub/Sub topic Gmail publishes to (projects/P/topics/T); with push.subscription turns push on', validate: pubsubName('push.topic', 'topics'), daemon: 'restart' },
  { key: 'push.subscription', env: 'MAILMON_PUSH_SUBSCRIPTION', description: 'Pull subscription on push.topic (projects/P/subscriptions/S)', validate: pubsubName('push.subscription', 'subscriptions'), daemon: 'restart' },
  { key: 'push.poll-interval', env: 'MAILMON_PUSH_POLL_INTERVAL', default: '10m', description: 'How often a mailbox is polled while its push is healthy (else poll-interval)', validate: duration('push.poll-interval'), daemon: 'live' },
  { key: 'push.label-ids', env: 'MAILMON_PUSH_LABEL_IDS', description: 'Comma-separated label ids users.watch filters on (default: every change)', validate: nonEmpty('push.label-ids'), daemon: 'restart' },
  { key: 'push.credentials', env: 'MAILMON_PUSH_CREDENTIALS', default: 'adc', description: "Pub/Sub credentials: adc (Application Default Credentials) or mailbox (a mailbox's own token, granted with login --push)", validate: oneOf('push.credentials', ['adc', 'mailbox']), daemon: 'restart' },
  { key: 'pubsub.api-url', env: 'MAILMON_PUBSUB_API_URL', default: 'https://pubsub.googleapis.com/', description: 'Base URL of the Pub/Sub API', validate: url('pubsub.api-url'), daemon: 'restart' },
  // Secret: a URL usually carries the database password.
  { key: 'api.port', env: 'MAILMON_API_PORT', default: '7464', description: 'Port of the HTTP API the daemon serves (0: any free port; off: no API)', validate: apiPort('api.port'), daemon: 'restart' },
  { key: 'api.host', env: 'MAILMON_API_HOST', default: '127.0.0.1', description: 'Address the daemon serves the HTTP API on; not loopback only once an API key exists', validate: nonEmpty('api.host'), daemon: 'restart' },
  { key: 'store.url', env: STORE_URL_ENV, description: 'A shared PostgreSQL store (postgres://USER:PASSWORD@HOST/DB); unset: the SQLite store in MAILMON_HOME', validate: (value) => void validateStoreUrl(value), secret: true, daemon: 'restart' },
  { key: 'store.busy-timeout', env: 'MAILMON_STORE_BUSY_TIMEOUT', default: '5s', description: 'How long a command waits for a store another process holds locked', validate: duration('store.busy-timeout'), daemon: 'restart' },
  { key: 'secret-store', env: 'MAILMON_SECRET_STORE', default: 'auto', description: 'Where credentials live: keychain, file or auto', validate: oneOf('secret-store', ['keychain', 'file', 'auto']), daemon: 'restart' },
];

export type SettingKey =
  | 'poll-interval'
  | 'quota.units-per-second'
  | 'listen.retry-schedule'
  | 'delivery.retry-schedule'
  | 'delivery.timeout'
  | 'retention'
  | 'sync.emit-backfill'
  | 'sync.fetch-by-thread'
  | 'gmail.api-url'
  | 'oauth.url'
  | 'oauth.client-id'
  | 'oauth.client-secret'
  | 'push.topic'
  | 'push.subscription'
  | 'push.poll-interval'
  | 'push.label-ids'
  | 'push.credentials'
  | 'pubsub.api-url'
  | 'secret-store'
  | 'api.port'
  | 'api.host'
  | 'store.busy-timeout'
  | 'store.url';

export function settingSpec(key: string): SettingSpec {
  const spec = SETTINGS.find((candidate) => candidate.key === key);
  if (!spec) {
    throw new MailmonError('config_unknown_key', `Unknown setting "${key}".`, {
      hint: `Valid keys: ${SETTINGS.map((setting) => setting.key).join(', ')}.`,
    });
  }
  return spec;
}

export type SettingSource = 'env' | 'file' | 'default' | 'unset';

export interface ResolvedSetting {
  key: string;
  value: string | undefined;
  source: SettingSource;
  env: string;
}

/** Env vars override the file; the file overrides defaults. Pure: both inputs are passed in. */
export function resolveSetting(key: string, file: Record<string, string>, env: Record<string, string | undefined>): ResolvedSetting {
  const spec = settingSpec(key);
  const fromEnv = env[spec.env];
  if (fromEnv !== undefined && fromEnv !== '') return { key, value: fromEnv, source: 'env', env: spec.env };
  if (file[key] !== undefined) return { key, value: file[key], source: 'file', env: spec.env };
  if (spec.default !== undefined) return { key, value: spec.default, source: 'default', env: spec.env };
  return { key, value: undefined, source: 'unset', env: spec.env };
}

export function maskSecret(spec: SettingSpec, value: string | undefined): string | undefined {
  if (value === undefined || !spec.secret) return value;
  return value.length <= 4 ? '****' : `${value.slice(0, 2)}…${value.slice(-2)}`;
}

/** How the running daemon holds one setting, for `config set` to tell the user. */
export interface DaemonSettingState {
  key: string;
  source: SettingSource;
  /** The environment variable that overrides the file, when `source` is `env`. */
  env: string;
  daemon: DaemonUse;
  /** A `restart` setting whose value changed since the daemon started. */
  pendingRestart: boolean;
}

export interface SettingChange {
  key: string;
  /** The value now in effect (masked when secret); undefined when unset. */
  value: string | undefined;
  daemon: DaemonUse;
}

export interface SettingsDiff {
  /** Settings whose value in effect changed. */
  changed: SettingChange[];
  /** Settings changed in the file but overridden by an environment variable: nothing changes. */
  overriddenByEnv: Array<{ key: string; env: string }>;
}

/** What changed in effect between two versions of the config file, under one environment. Pure. */
export function diffSettings(before: Record<string, string>, after: Record<string, string>, env: Record<string, string | undefined>): SettingsDiff {
  const diff: SettingsDiff = { changed: [], overriddenByEnv: [] };
  for (const spec of SETTINGS) {
    if (before[spec.key] === after[spec.key]) continue;
    const was = resolveSetting(spec.key, before, env);
    const now = resolveSetting(spec.key, after, env);
    if (now.source === 'env') diff.overriddenByEnv.push({ key: spec.key, env: spec.env });
    else if (was.value !== now.value) diff.changed.push({ key: spec.key, value: maskSecret(spec, now.value), daemon: spec.daemon });
  }
  return diff;
}
