/**
 * The Gmail port: the only code that talks to Gmail. Google's own client (@googleapis/gmail +
 * google-auth-library) pointed at a base URL, so the fixture server and real Gmail run the same
 * path. This module adds what the client lacks:
 *  - a client-side quota limiter with Gmail's per-method costs (stays under 250 units/s
 *    instead of hitting it);
 *  - one retry policy: 429, 403 rate limits, 5xx and network errors back off exponentially
 *    with jitter, honouring Retry-After and Gmail's "Retry after <time>";
 *  - an access token kept between ports of the same mailbox (an AccessTokenSlot), refreshed only
 *    shortly before it expires;
 *  - 401 → drop the access token and retry once (the client refreshes it);
 *  - `invalid_grant` → MailmonError('reauth_required'), never retried.
 * gaxios' own retries are turned off so nothing retries twice.
 */
import type { gmail_v1 } from '@googleapis/gmail';
import { MailmonError, isMailmonError } from '../../core/errors.js';
import { parseRetryAfter, parseRetryAfterMessage, retryDelay } from '../../core/backoff.js';
import { MESSAGE_FIELDS, MESSAGE_HEADERS, type GmailMessage } from '../../core/message-state.js';
import type { HistoryRecord } from '../../core/history.js';
import type { GmailPort } from '../../app/ports/gmail.js';
import { TokenBucket } from '../../core/token-bucket.js';
import { systemClock } from '../system/clock.js';
import { trace } from '../system/debug-log.js';
import type { AccessTokenSlot } from './access-tokens.js';

const traceGmail = trace('gmail');
const traceOauth = trace('oauth');

export const QUOTA_COSTS = { getProfile: 1, labelsList: 1, historyList: 2, messagesList: 5, messagesGet: 5, threadsGet: 10, watch: 100, stop: 50 } as const;

export type { GmailLabel, GmailPort, GmailProfile } from '../../app/ports/gmail.js';

export interface GmailConnection {
  apiUrl: string;
  oauthUrl: string;
  clientId: string;
  clientSecret?: string;
  refreshToken: string;
}

export interface GmailApiOptions extends GmailConnection {
  unitsPerSecond: number | null;
  maxAttempts?: number;
  /** Backoff bounds between retries (server hints like Retry-After still win). */
  backoff?: { baseMs: number; maxMs: number };
  signal?: AbortSignal;
  random?: () => number;
  /** Resolves early (never rejects) when the signal aborts; the default is the system clock's. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The gmail.metadata scope forbids format=full: fetch headers with format=metadata instead (no attachment names). */
  metadataOnly?: boolean;
  /** Where the access token outlives this port (without it, each port refreshes once). */
  accessToken?: AccessTokenSlot;
  /** The hint of a reauth_required: the login that works for this mailbox (a fixture mailbox needs `login --fixture URL`). */
  reloginHint?: string;
}

const DEFAULT_RELOGIN_HINT = 'Run "mailmon login" again for this mailbox.';

export const GOOGLE_OAUTH_URL = 'https://oauth2.googleapis.com/';

/** Google's authorize endpoint lives on accounts.google.com; a fixture serves all three itself. */
export function oauthEndpoints(oauthUrl: string) {
  const base = oauthUrl.endsWith('/') ? oauthUrl : `${oauthUrl}/`;
  const google = base === GOOGLE_OAUTH_URL;
  return {
    oauth2AuthBaseUrl: google ? 'https://accounts.google.com/o/oauth2/v2/auth' : `${base}o/oauth2/v2/auth`,
    oauth2TokenUrl: `${base}token`,
    oauth2RevokeUrl: `${base}revoke`,
  };
}

interface GaxiosLikeError {
  status?: number;
  code?: string | number;
  message?: string;
  response?: { status?: number; data?: unknown; headers?: unknown };
}

function headerValue(headers: unknown, name: string): string | null {
  if (!headers) return null;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const record = headers as Record<string, string | string[] | undefined>;
  const value = record[name] ?? record[name.toLowerCase()];
  return Array.isArray(value) ? value[0] ?? null : value ?? null;
}

type Classified =
  | { kind: 'retry'; hintMs: number | null; rateLimited: boolean; message: string }
  | { kind: 'unauthorized'; message: string }
  | { kind: 'not_found' }
  | { kind: 'fatal'; error: unknown };

/** The HTTP status of a failed call, or the network error code when there was no answer. */
function gmailStatus(error: unknown): number | string {
  const e = error as GaxiosLikeError;
  return e?.response?.status ?? (typeof e?.status === 'number' ? e.status : undefined) ?? (typeof e?.code === 'string' ? e.code : 'no-answer');
}

export function classifyGmailError(error: unknown, now: number, reloginHint = DEFAULT_RELOGIN_HINT): Classified {
  if (isMailmonError(error)) return { kind: 'fatal', error };
  const e = error as GaxiosLikeError;
  const status = e.response?.status ?? (typeof e.status === 'number' ? e.status : undefined);
  const data = e.response?.data as { error?: unknown; error_description?: string } | undefined;
  if (data?.error === 'invalid_grant' || /invalid_grant/.test(e.message ?? '')) {
    return {
      kind: 'fatal',
      error: new MailmonError('reauth_required', 'Gmail refused the stored authorization (the token was revoked or has expired).', { hint: reloginHint }),
    };
  }
  const googleError = (data?.error && typeof data.error === 'object' ? data.error : undefined) as { message?: string; errors?: Array<{ reason?: string }> } | undefined;
  const reason = googleError?.errors?.[0]?.reason;
  const message = googleError?.message ?? e.message ?? 'Gmail request failed';
  if (status === undefined) {
    // No response at all: connection refused/reset, timeout, DNS. Worth retrying.
    return { kind: 'retry', hintMs: null, rateLimited: false, message: `${e.code ?? ''} ${message}`.trim() };
  }
  const hintMs = parseRetryAfter(headerValue(e.response?.headers, 'retry-after'), now) ?? parseRetryAfterMessage(message, now);
  if (status === 429 || (status === 403 && /rateLimitExceeded|userRateLimitExceeded|quotaExceeded/.test(reason ?? ''))) {
    return { kind: 'retry', hintMs, rateLimited: true, message };
  }
  if (status >= 500) return { kind: 'retry', hintMs, rateLimited: false, message };
  if (status === 401) return { kind: 'unauthorized', message };
  if (status === 404) return { kind: 'not_found' };
  return { kind: 'fatal', error: new MailmonError('gmail_error', `Gmail answered ${status}: ${message}`, { hint: 'Re-run with --verbose for details.', cause: error }) };
}

export async function createGmailApi(options: GmailApiOptions): Promise<GmailPort> {
  const [{ gmail }, { OAuth2Client }] = await Promise.all([import('@googleapis/gmail'), import('google-auth-library')]);
  const auth = new OAuth2Client({ clientId: options.clientId, clientSecret: options.clientSecret, endpoints: oauthEndpoints(options.oauthUrl) });
  const cached = options.accessToken?.get();
  auth.setCredentials(cached ? { refresh_token: options.refreshToken, access_token: cached.accessToken, expiry_date: cached.expiryDate } : { refresh_token: options.refreshToken });
  if (cached) traceOauth('reusing a cached access token (valid %ds)', Math.round((cached.expiryDate - Date.now()) / 1000));
  auth.on('tokens', (tokens) => {
    // Only the fact and the lifetime of a refresh are traced: never a token.
    traceOauth('access token refreshed%s', tokens.expiry_date ? ` (valid ${Math.round((tokens.expiry_date - Date.now()) / 1000)}s)` : '');
    if (tokens.access_token && tokens.expiry_date) options.accessToken?.set({ accessToken: tokens.access_token, expiryDate: tokens.expiry_date });
  });
  const apiUrl = options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`;
  // googleapis-common nests its own google-auth-library copy; the instance works, only the types differ.
  const client = gmail({ version: 'v1', auth, rootUrl: apiUrl, retry: false } as unknown as Parameters<typeof gmail>[0]);
  const bucket = options.unitsPerSecond ? new TokenBucket(options.unitsPerSecond, Math.max(5, options.unitsPerSecond / 5), Date.now()) : null;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? systemClock.sleep;
  const maxAttempts = options.maxAttempts ?? 10;
  const stats = { quotaUnits: 0, requests: 0, retries: 0, rateLimited: 0 };

  async function call<T>(cost: number, what: string, request: () => Promise<T>): Promise<T | null> {
    let reauthorized = false;
    for (let attempt = 0; ; attempt++) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (bucket) {
        const wait = bucket.reserve(cost, Date.now());
        if (wait > 0) await sleep(wait, options.signal);
        // The sleep ends early on abort: stop before spending a request.
        if (options.signal?.aborted) throw options.signal.reason;
      }
      stats.quotaUnits += cost;
      stats.requests += 1;
      const started = Date.now();
      // One trace line per call: method, status, time, quota units, and what happens next.
      const line = (status: number | string, next = '') => traceGmail('%s %s %dms %du%s', what, status, Date.now() - started, cost, next);
      try {
        const result = await request();
        if (traceGmail.enabled) line((result as { status?: number })?.status ?? 200);
        return result;
      } catch (error) {
        const classified = classifyGmailError(error, Date.now(), options.reloginHint);
        const status = gmailStatus(error);
        if (classified.kind === 'not_found') {
          line(404);
          return null;
        }
        if (classified.kind === 'fatal') {
          line(status, ` failed: ${isMailmonError(classified.error) ? classified.error.code : 'error'}`);
          throw classified.error;
        }
        if (classified.kind === 'unauthorized') {
          if (reauthorized) {
            line(status, ' unauthorized again; giving up (reauth_required)');
            throw new MailmonError('reauth_required', `Gmail rejected the credentials for ${what}.`, { hint: options.reloginHint ?? DEFAULT_RELOGIN_HINT });
          }
          reauthorized = true;
          line(status, ' unauthorized; refreshing the access token and retrying');
          // Forget the access token (here and for later ports); the client fetches a fresh one with the refresh token.
          options.accessToken?.set(null);
          auth.setCredentials({ refresh_token: options.refreshToken });
          continue;
        }
        if (classified.rateLimited) stats.rateLimited += 1;
        if (attempt + 1 >= maxAttempts) {
          line(status, ` giving up after ${attempt + 1} attempts`);
          throw new MailmonError(classified.rateLimited ? 'gmail_rate_limited' : 'gmail_unavailable', `Gmail ${what} kept failing: ${classified.message}`, {
            hint: 'mailmon retries on the next sync; check "mailmon status" or try again later.',
            cause: error,
          });
        }
        stats.retries += 1;
        const wait = retryDelay(attempt, classified.hintMs, { ...(options.backoff ?? { baseMs: 250, maxMs: 20_000 }), random: random() });
        line(status, ` retry ${attempt + 1}/${maxAttempts - 1} in ${wait}ms${classified.hintMs !== null ? ' (server asked)' : ''}${classified.rateLimited ? ' rate limited' : ''}`);
        await sleep(wait, options.signal);
      }
    }
  }

  const users = client.users;
  /** One format and `fields` mask per purpose, shared by messages.get and threads.get. */
  const messageRequest = (format: 'full' | 'minimal'): { format: string; fields: string; metadataHeaders?: string[] } =>
    format === 'full' && options.metadataOnly
      ? { format: 'metadata', metadataHeaders: MESSAGE_HEADERS, fields: 'id,threadId,labelIds,snippet,historyId,internalDate,sizeEstimate,payload(headers(name,value))' }
      : format === 'full'
      ? { format: 'full', fields: MESSAGE_FIELDS }
      : { format: 'minimal', fields: 'id,threadId,labelIds,snippet,historyId,internalDate,sizeEstimate' };
  const required = <T>(value: T | null, what: string): T => {
    if (value === null) throw new MailmonError('gmail_error', `Gmail answered 404 for ${what}.`, { hint: 'Check that the mailbox still exists and the API URL is right.' });
    return value;
  };

  return {
    stats,
    async getProfile() {
      const response = required(await call(QUOTA_COSTS.getProfile, 'getProfile', () => users.getProfile({ userId: 'me' }, { signal: options.signal })), 'getProfile');
      const data = response.data;
      return { emailAddress: data.emailAddress ?? '', historyId: String(data.historyId ?? ''), messagesTotal: data.messagesTotal ?? 0, threadsTotal: data.threadsTotal ?? 0 };
    },
    async listLabels() {
      const response = required(await call(QUOTA_COSTS.labelsList, 'labels.list', () => users.labels.list({ userId: 'me' }, { signal: options.signal })), 'labels.list');
      return (response.data.labels ?? []).filter((label): label is gmail_v1.Schema$Label & { id: string } => Boolean(label.id)).map((label) => ({
        id: label.id,
        name: label.name ?? label.id,
        type: label.type === 'system' ? 'system' : 'user',
      }));
    },
    async listMessageIds(pageToken) {
      const response = required(await call(QUOTA_COSTS.messagesList, 'messages.list', () => users.messages.list({ userId: 'me', maxResults: 500, includeSpamTrash: true, pageToken, fields: 'messages(id,threadId),nextPageToken,resultSizeEstimate' }, { signal: options.signal })), 'messages.list');
      return {
        messages: (response.data.messages ?? []).filter((m) => m.id && m.threadId).map((m) => ({ id: m.id!, threadId: m.threadId! })),
        nextPageToken: response.data.nextPageToken ?? null,
        resultSizeEstimate: response.data.resultSizeEstimate ?? 0,
      };
    },
    async getMessage(id, format) {
      const request = messageRequest(format);
      const response = await call(QUOTA_COSTS.messagesGet, 'messages.get', () => users.messages.get({ userId: 'me', id, ...request }, { signal: options.signal }));
      return response ? (response.data as GmailMessage) : null;
    },
    async getThread(id, format) {
      const request = messageRequest(format);
      const response = await call(QUOTA_COSTS.threadsGet, 'threads.get', () => users.threads.get({ userId: 'me', id, ...request, fields: `id,messages(${request.fields})` }, { signal: options.signal }));
      return response ? { id: response.data.id ?? id, messages: (response.data.messages ?? []) as GmailMessage[] } : null;
    },
    async watch(input) {
      const requestBody = { topicName: input.topicName, ...(input.labelIds?.length ? { labelIds: input.labelIds, labelFilterBehavior: 'include' } : {}) };
      const response = await call(QUOTA_COSTS.watch, 'users.watch', () => users.watch({ userId: 'me', requestBody }, { signal: options.signal }));
      if (response === null) throw new MailmonError('gmail_error', `Gmail answered 404 for users.watch: topic ${input.topicName} not found.`, { hint: 'Create the topic and grant gmail-api-push@system.gserviceaccount.com the Pub/Sub Publisher role on it (docs/push.md).' });
      return { historyId: String(response.data.historyId ?? ''), expiration: Number(response.data.expiration ?? 0) };
    },
    async stop() {
      await call(QUOTA_COSTS.stop, 'users.stop', () => users.stop({ userId: 'me' }, { signal: options.signal }));
    },
    async listHistory(startHistoryId, pageToken) {
      const response = await call(QUOTA_COSTS.historyList, 'history.list', () => users.history.list({ userId: 'me', startHistoryId, pageToken, maxResults: 500 }, { signal: options.signal }));
      if (response === null) {
        throw new MailmonError('history_expired', `Gmail no longer has history since ${startHistoryId}.`, { hint: 'mailmon runs a full resync that emits only real changes.' });
      }
      return { records: (response.data.history ?? []) as HistoryRecord[], nextPageToken: response.data.nextPageToken ?? null, historyId: String(response.data.historyId ?? startHistoryId) };
    },
  };
}
