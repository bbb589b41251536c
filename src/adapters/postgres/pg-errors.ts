/**
 * Turns what the `pg` driver throws into MailmonErrors with stable codes and a next step:
 * the server cannot be reached (store_unreachable), refused the user or password
 * (store_auth_failed), has no such database (store_database_missing), or dropped an open
 * connection (store_connection_lost). Anything else (a constraint, a bug) is returned as is.
 * Messages name the server by its URL without the password.
 */
import { MailmonError, isMailmonError } from '../../core/errors.js';

interface DriverError {
  code?: string;
  message?: string;
  errors?: DriverError[];
}

/** SQLSTATE classes and codes, https://www.postgresql.org/docs/current/errcodes-appendix.html */
const AUTH_FAILED = new Set(['28P01', '28000']);
const DATABASE_MISSING = '3D000';
/** cannot_connect_now: the server is starting up, shutting down or in recovery. */
const NOT_ACCEPTING = '57P03';
const CONNECTION_LOST = new Set(['57P01', '57P02', '08000', '08003', '08006', 'ECONNRESET', 'EPIPE']);
/** What the driver says of a connection that died (the next query on a client whose connection died gets the second). */
const LOST_MESSAGE = /^Connection terminated|^Client has encountered a connection error and is not queryable/;
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', NOT_ACCEPTING]);

/** `display` is the store URL without its password. */
export function translatePostgresError(error: unknown, display: string): unknown {
  if (isMailmonError(error) || typeof error !== 'object' || error === null) return error;
  const code = driverCode(error as DriverError);
  const message = (error as DriverError).message ?? '';
  if (code && AUTH_FAILED.has(code)) return authFailed(error, display, code);
  if (/^SASL: /.test(message)) return authFailed(error, display, code);
  if (code === DATABASE_MISSING) return databaseMissing(error, display);
  if (code && UNREACHABLE.has(code)) return unreachable(error, display);
  if (/timeout/i.test(message) && /connect/i.test(message)) return unreachable(error, display);
  if ((code && CONNECTION_LOST.has(code)) || LOST_MESSAGE.test(message)) return connectionLost(error, display);
  return error;
}

/** Node reports a refused dual-stack connect as an AggregateError whose parts carry the code. */
function driverCode(error: DriverError): string | undefined {
  return error.code ?? error.errors?.find((part) => part.code)?.code;
}

/** A connection lost before its session began: whatever listens there is not (yet) a PostgreSQL server taking sessions. */
export function closedWhileConnecting(error: unknown, display: string): unknown {
  const translated = translatePostgresError(error, display);
  if (!isMailmonError(translated) || translated.code !== 'store_connection_lost') return translated;
  return unreachable(error, display, ' (it closed the connection before the session started)');
}

function unreachable(cause: unknown, display: string, why = ''): MailmonError {
  return new MailmonError('store_unreachable', `Cannot connect to the PostgreSQL store at ${display}${why}.`, {
    hint: 'Check that PostgreSQL runs there and accepts TCP connections (listen_addresses, firewall), or fix store.url / MAILMON_DATABASE_URL.',
    cause,
  });
}

function authFailed(cause: unknown, display: string, code: string | undefined): MailmonError {
  const where = code === '28000' ? ' (no pg_hba.conf entry lets this user in from here)' : '';
  return new MailmonError('store_auth_failed', `The PostgreSQL store at ${display} refused the user or password${where}.`, {
    hint: 'Fix the user and password in store.url / MAILMON_DATABASE_URL (postgres://USER:PASSWORD@HOST/DB), or grant that user access.',
    cause,
  });
}

function databaseMissing(cause: unknown, display: string): MailmonError {
  const name = safeDatabaseName(display);
  return new MailmonError('store_database_missing', `The PostgreSQL server at ${display} has no database "${name}".`, {
    hint: `Create it (createdb ${name}, or CREATE DATABASE "${name}"); mailmon creates its tables itself.`,
    cause,
  });
}

function connectionLost(cause: unknown, display: string): MailmonError {
  return new MailmonError('store_connection_lost', `The connection to the PostgreSQL store at ${display} was lost; what was not committed was rolled back.`, {
    hint: 'Retry. If it keeps happening, check the server log (restarts, pg_terminate_backend, idle timeouts) and the network.',
    cause,
  });
}

function safeDatabaseName(display: string): string {
  try {
    return decodeURIComponent(new URL(display).pathname.slice(1)) || 'postgres';
  } catch {
    return 'postgres';
  }
}
