/**
 * The one error family of mailmon. Every failure a user can see is a MailmonError with a
 * stable `code` (checked by code, never by instanceof across module copies), a one-line
 * message, a hint saying what to do next, and an exit code from the single table below.
 */

/** Stable process exit codes. Scripts may rely on these; never renumber. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  config: 3,
  store: 4,
  auth: 5,
  network: 6,
  busy: 7,
  notFound: 8,
  drift: 9,
  delivery: 10,
  interrupted: 130,
} as const;
export type ExitCodeName = keyof typeof ExitCode;

/** Every error code mailmon emits, and the exit code it maps to. */
export const errorCatalog = {
  usage: 'usage',
  internal: 'failure',
  home_not_directory: 'config',
  home_not_writable: 'config',
  config_unknown_key: 'config',
  config_bad_value: 'config',
  config_file_invalid: 'config',
  store_not_sqlite: 'store',
  store_sqlite_only: 'store',
  store_not_empty: 'store',
  store_too_new: 'store',
  store_locked: 'busy',
  store_corrupt: 'store',
  store_full: 'store',
  store_io_error: 'store',
  store_unreachable: 'network',
  store_connection_lost: 'network',
  store_auth_failed: 'config',
  store_database_missing: 'config',
  doctor_failed: 'failure',
  not_found: 'notFound',
  mailbox_not_found: 'notFound',
  mailbox_ambiguous: 'usage',
  no_mailboxes: 'notFound',
  oauth_client_missing: 'config',
  oauth_state_mismatch: 'auth',
  oauth_denied: 'auth',
  oauth_timeout: 'auth',
  oauth_failed: 'auth',
  reauth_required: 'auth',
  login_hint_mismatch: 'auth',
  encryption_key_invalid: 'config',
  credential_unreadable: 'auth',
  credential_missing: 'auth',
  credential_changed: 'busy',
  keychain_unavailable: 'config',
  api_keys_missing: 'config',
  lease_held: 'busy',
  lease_lost: 'busy',
  gmail_rate_limited: 'network',
  gmail_unavailable: 'network',
  gmail_error: 'network',
  history_expired: 'network',
  pubsub_error: 'network',
  unreachable: 'network',
  bad_url: 'usage',
  bad_duration: 'usage',
  bad_time: 'usage',
  fixture_error: 'failure',
  fixture_unauthorized: 'auth',
  drift_detected: 'drift',
  delivery_failed: 'delivery',
  endpoint_gone: 'delivery',
  verification_failed: 'delivery',
  signature_invalid: 'failure',
  daemon_running: 'busy',
  daemon_not_running: 'failure',
  daemon_failed: 'failure',
  api_listen_failed: 'failure',
  timeout: 'failure',
  interrupted: 'interrupted',
  cancelled: 'failure',
} as const satisfies Record<string, ExitCodeName>;
export type ErrorCode = keyof typeof errorCatalog;

export interface MailmonErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Extra machine-readable fields rendered under --json. Never secrets. */
  details?: Record<string, unknown>;
}

export class MailmonError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly details?: Record<string, unknown>;
  readonly isMailmonError = true;

  constructor(code: ErrorCode, message: string, options: MailmonErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MailmonError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  get exitCode(): number {
    return ExitCode[errorCatalog[this.code]];
  }
}

export function isMailmonError(error: unknown): error is MailmonError {
  return typeof error === 'object' && error !== null && (error as { isMailmonError?: unknown }).isMailmonError === true;
}

/** The shared store cannot be reached for now (down, restarting, network): worth retrying soon, nothing to fix here. */
export function isStoreOutage(error: unknown): boolean {
  return isMailmonError(error) && (error.code === 'store_unreachable' || error.code === 'store_connection_lost');
}

export function hasCode(error: unknown, code: ErrorCode): boolean {
  return isMailmonError(error) && error.code === code;
}
