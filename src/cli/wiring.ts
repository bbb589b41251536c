/**
 * The composition root for commands: builds the dependencies of src/app use cases from the
 * CLI context (home, config, store) and the real adapters. Commands call these instead of
 * importing adapters themselves.
 */
import { readFile } from 'node:fs/promises';
import type { CliContext } from './context.js';
import type { CredentialVault } from '../adapters/secrets/credential-vault.js';
import { newId } from '../adapters/system/ids.js';
import { MailmonError } from '../core/errors.js';
import type { SyncDeps } from '../app/sync-mailbox.js';
import type { LoginDeps } from '../app/login.js';
import type { ApiKeyDeps } from '../app/api-keys.js';
import type { LogoutDeps } from '../app/logout.js';
import type { CredentialAuditDeps } from '../app/credentials-audit.js';
import type { RewrapDeps } from '../app/credentials-rewrap.js';
import type { SqliteStore } from '../adapters/sqlite/database.js';
import type { HomeLayout } from '../adapters/system/home.js';
import { openGmailForMailbox, type GmailSessionDeps } from './gmail-session.js';
import { AccessTokenCache } from '../adapters/gmail/access-tokens.js';
import { systemClock } from '../adapters/system/clock.js';
import { limitHeapGrowth } from '../adapters/system/heap.js';

export async function credentialVault(ctx: CliContext): Promise<CredentialVault> {
  // Loaded on demand: commands like status never read credentials.
  const { openCredentialVault } = await import('../adapters/secrets/credential-vault.js');
  if (ctx.selected.kind === 'sqlite') return openCredentialVault({ store: await ctx.store(), home: ctx.home, env: ctx.env, config: ctx.config });
  // A shared store keeps only sealed envelopes (key: MAILMON_ENCRYPTION_KEY on every daemon); one machine's keychain makes no sense there.
  return openCredentialVault({ storage: await ctx.storage(), home: ctx.home, env: ctx.env, config: ctx.config, shared: true });
}

export interface SyncOptions extends Pick<SyncDeps, 'onProgress' | 'onFetch' | 'signal' | 'waitMs' | 'metrics'> {
  emitBackfill?: boolean;
  unitsPerSecond?: number | null;
  retry?: GmailSessionDeps['retry'];
}

/** The mailbox leases of the selected store (CliContext.leases). */
export async function leases(ctx: CliContext) {
  return ctx.leases();
}

export async function syncDeps(ctx: CliContext, options: SyncOptions): Promise<SyncDeps> {
  const storage = await ctx.storage();
  const vault = await credentialVault(ctx);
  // One per process: the daemon and listen build their sync deps once and sync with them for hours.
  const accessTokens = new AccessTokenCache();
  return {
    mailboxes: storage.mailboxes,
    syncCommit: storage.syncCommit,
    syncRuns: storage.syncRuns,
    leases: await leases(ctx),
    clock: systemClock,
    ids: newId,
    emitBackfill: options.emitBackfill ?? ctx.config.flag('sync.emit-backfill'),
    fetchByThread: ctx.config.flag('sync.fetch-by-thread'),
    openGmail: (mailbox, signal) => openGmailForMailbox({ envelopes: storage.credentialEnvelopes, config: ctx.config, credentials: vault, unitsPerSecond: options.unitsPerSecond, retry: options.retry, accessTokens }, mailbox, signal),
    onProgress: options.onProgress,
    onFetch: options.onFetch,
    signal: options.signal,
    waitMs: options.waitMs,
    metrics: options.metrics,
    limitHeapGrowth,
  };
}

export async function loginDeps(ctx: CliContext, options: Pick<LoginDeps, 'onAuthUrl' | 'signal'>): Promise<LoginDeps> {
  const { googleOAuthFlow } = await import('../adapters/oauth/installed-app-flow.js');
  return {
    storage: await ctx.storage(),
    settings: {
      gmailApiUrl: ctx.config.string('gmail.api-url'),
      oauthUrl: ctx.config.string('oauth.url'),
      clientId: ctx.config.optional('oauth.client-id'),
      clientSecret: ctx.config.optional('oauth.client-secret'),
    },
    credentials: await credentialVault(ctx),
    oauth: googleOAuthFlow(),
    ids: newId,
    now: Date.now,
    onAuthUrl: options.onAuthUrl,
    signal: options.signal,
  };
}

export { interruptSignal } from './interrupt.js';

export async function logoutDeps(ctx: CliContext): Promise<LogoutDeps> {
  const storage = await ctx.storage();
  const vault = await credentialVault(ctx);
  const { googleOAuthFlow } = await import('../adapters/oauth/installed-app-flow.js');
  return {
    storage,
    credentials: vault,
    revoke: googleOAuthFlow().revoke,
    defaultOAuthUrl: ctx.config.string('oauth.url'),
    now: Date.now,
    newEventId: () => newId('evt'),
    stopWatch: async (mailbox) => (await openGmailForMailbox({ envelopes: storage.credentialEnvelopes, config: ctx.config, credentials: vault, retry: { maxAttempts: 2, backoff: { baseMs: 200, maxMs: 1_000 } } }, mailbox, new AbortController().signal)).stop(),
  };
}

/**
 * What `credentials audit` (and doctor's credentials check) reads: the envelope rows, the keys
 * and the secret stores. Read-only: never creates a key file. Doctor passes the store and home it opened.
 */
export async function credentialAuditDeps(ctx: CliContext, opened?: { store: SqliteStore; home: HomeLayout }): Promise<CredentialAuditDeps> {
  const { sqliteStorage } = await import('../adapters/sqlite/sqlite-storage.js');
  const { fileEncryptionKeys, sharedStoreEncryptionKeys } = await import('../adapters/secrets/encryption-key.js');
  const { osKeychainAccess, secretStoreInspector } = await import('../adapters/secrets/credential-vault.js');
  const home = opened?.home ?? ctx.home;
  return {
    storage: opened ? sqliteStorage(opened.store) : await ctx.storage(),
    keys: ctx.selected.kind === 'postgres' ? sharedStoreEncryptionKeys(home, ctx.env) : fileEncryptionKeys(home, ctx.env),
    secretStores: secretStoreInspector({ home, env: ctx.env, config: ctx.config, keychain: osKeychainAccess() }),
  };
}

export async function rewrapDeps(ctx: CliContext): Promise<RewrapDeps> {
  const { fileEncryptionKeys, sharedStoreEncryptionKeys } = await import('../adapters/secrets/encryption-key.js');
  return { storage: await ctx.storage(), keys: ctx.selected.kind === 'postgres' ? sharedStoreEncryptionKeys(ctx.home, ctx.env) : fileEncryptionKeys(ctx.home, ctx.env), now: Date.now };
}

/** doctor's credentials check over the store and home doctor opened; the config is read inside the check. */
export function credentialsCheck(ctx: CliContext) {
  return async (store: SqliteStore, home: HomeLayout) => {
    const { credentialsDoctorCheck } = await import('../app/credentials-audit.js');
    return credentialsDoctorCheck(() => credentialAuditDeps(ctx, { store, home }))();
  };
}

export async function verifyDeps(ctx: CliContext, options: { signal?: AbortSignal; waitMs?: number }): Promise<import('../app/verify-mailbox.js').VerifyDeps> {
  const storage = await ctx.storage();
  const vault = await credentialVault(ctx);
  return {
    mailboxes: storage.mailboxes,
    syncCommit: storage.syncCommit,
    leases: await leases(ctx),
    openGmail: (mailbox, signal) => openGmailForMailbox({ envelopes: storage.credentialEnvelopes, config: ctx.config, credentials: vault }, mailbox, signal),
    signal: options.signal,
    waitMs: options.waitMs,
  };
}

/** Fixes where listen starts (the first thing listen does; see openListenConsumer). */
export async function listenConsumer(ctx: CliContext, input: Omit<Parameters<typeof import('../app/listen.js').openListenConsumer>[1], 'now' | 'invokedAt' | 'pid'>) {
  const { openListenConsumer } = await import('../app/listen.js');
  // When this process started: "from now" counts from the command's invocation, not from when it got here.
  return openListenConsumer(await ctx.storage(), { ...input, invokedAt: Math.floor(performance.timeOrigin), now: Date.now, pid: process.pid });
}

/** Everything `listen` needs: the log and its change notifier, one keep-alive HTTP sender, and (unless told not to) in-process sync. */
export async function listenDeps(ctx: CliContext, options: { sync: boolean; pollIntervalMs?: number; maxInFlight: number; userAgent: string; skipTlsVerify?: boolean }) {
  const { events, changes, consumers, mailboxes } = await ctx.storage();
  const sending = await sendingDeps(ctx, options);
  const deps: import('../app/listen.js').ListenDeps = {
    ...sending.deps,
    events, changes, consumers, mailboxes,
    sync: options.sync ? { deps: await syncDeps(ctx, {}), intervalMs: options.pollIntervalMs ?? ctx.config.durationMs('poll-interval'), ...(await listenPush(ctx)) } : null,
  };
  return { deps, close: sending.close };
}

/** Gmail push for listen's in-process sync when configured; its warnings go to stderr. */
async function listenPush(ctx: CliContext) {
  const { pushConfig } = await import('./wiring-push.js');
  const config = await pushConfig(ctx);
  if (!config) return {};
  const say = (msg: string, fields?: Record<string, unknown>) => process.stderr.write(`push: ${msg}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
  return { push: { config, logger: { debug: () => undefined, info: () => undefined, warn: say, error: say } } };
}

/** One keep-alive HTTP sender plus listen's retry policy and timeout: what listen and replay send with. */
async function sendingDeps(ctx: CliContext, options: { maxInFlight: number; userAgent: string; skipTlsVerify?: boolean }): Promise<{ deps: import('../app/forward-events.js').SendingDeps; close: () => Promise<void> }> {
  const { WebhookSender } = await import('../adapters/http/webhook-sender.js');
  const sender = new WebhookSender({ connections: options.maxInFlight, skipTlsVerify: options.skipTlsVerify });
  return {
    deps: {
      send: (request) => sender.send(request),
      clock: systemClock,
      newDeliveryId: () => newId('dlv'),
      userAgent: options.userAgent,
      retryScheduleMs: ctx.config.scheduleMs('listen.retry-schedule'),
      timeoutMs: ctx.config.durationMs('delivery.timeout'),
    },
    close: () => sender.close(),
  };
}

export async function signingSecret(ctx: CliContext, flag: string | undefined) {
  const { resolveSigningSecret } = await import('../app/signing-secret.js');
  const { generateWebhookSecret } = await import('../adapters/http/webhook-secret.js');
  return resolveSigningSecret({ flag, env: ctx.env.MAILMON_WEBHOOK_SECRET, store: () => credentialVault(ctx), generate: generateWebhookSecret });
}

export async function mailboxCount(ctx: CliContext): Promise<number> {
  return (await (await ctx.storage()).mailboxes.list()).filter((mailbox) => mailbox.status === 'active' || mailbox.status === 'pending').length;
}

/** What replay and `events export` select events from: the storage, and exported files on disk. */
export async function replaySourceDeps(ctx: CliContext): Promise<import('../app/replay.js').ReplaySourceDeps> {
  return { ...(await ctx.storage()), readFile: (path) => readFile(path, 'utf8') };
}

export function replayDeps(ctx: CliContext, options: { maxInFlight: number; userAgent: string; skipTlsVerify?: boolean }) {
  return sendingDeps(ctx, options);
}

/** Asks a yes/no question on the terminal; false when stdin is not a TTY. */
export async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const readline = await import('node:readline/promises');
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export async function tailDeps(ctx: CliContext) {
  return ctx.storage();
}

/** Where a replay goes: a URL with the listen secret, or a registered endpoint with its own secrets, scheme and headers. */
export async function replayTarget(ctx: CliContext, input: { url?: string; endpoint?: string; secret?: string }): Promise<import('../app/forward-events.js').ForwardTarget> {
  if (input.endpoint) {
    const { endpointTarget } = await import('../app/endpoint-target.js');
    const target = await endpointTarget((await ctx.storage()).endpoints, await credentialVault(ctx), input.endpoint, Date.now());
    return { url: target.url, headers: target.headers, secrets: target.secrets, scheme: target.scheme };
  }
  const secret = await signingSecret(ctx, input.secret);
  return { url: input.url!, headers: {}, secrets: [secret.secret], scheme: 'both' };
}

/** `store backup`: the adapter loads better-sqlite3, so only this command pays for it. */
export async function backupStoreTo(ctx: CliContext, file: string, options: { force?: boolean; onProgress?: (progress: { totalPages: number; remainingPages: number }) => void }) {
  const { backupStore } = await import('../adapters/sqlite/backup.js');
  return backupStore(await ctx.store(), file, options);
}

/**
 * `store copy --to URL`: the home's SQLite store (whatever store.url says: it is the source)
 * into an empty PostgreSQL database, migrated first, in one transaction.
 */
export async function copyStoreTo(ctx: CliContext, url: string, options: { onProgress?: (progress: import('../adapters/postgres/copy-from-sqlite.js').CopyProgress) => void }) {
  const fs = await import('node:fs');
  const { openDatabase } = await import('../adapters/sqlite/database.js');
  const { openPostgres } = await import('../adapters/postgres/database.js');
  const { copySqliteToPostgres } = await import('../adapters/postgres/copy-from-sqlite.js');
  if (!fs.existsSync(ctx.home.store)) throw new MailmonError('not_found', `There is no SQLite store to copy at ${ctx.home.store}.`, { hint: 'Set MAILMON_HOME to the home whose store you want to copy.' });
  const source = openDatabase(ctx.home.store, { busyTimeoutMs: ctx.config.durationMs('store.busy-timeout') });
  try {
    const target = await openPostgres(url, { applicationName: 'mailmon store copy', poolSize: 1 });
    try {
      return { ...(await copySqliteToPostgres(source.sqlite, target.pool, options)), from: source.file, to: target.display };
    } finally {
      await target.close();
    }
  } finally {
    source.close();
  }
}

/**
 * `doctor` on a PostgreSQL store: the shared-store checks (reachable, migrations, clock skew,
 * stuck claims). The SQLite checks (integrity, journal, file store) do not apply there.
 */
export async function sharedStoreDoctor(ctx: CliContext, version: string): Promise<import('../app/doctor.js').DoctorReport> {
  const { sharedStoreChecks } = await import('../app/doctor-shared-store.js');
  const selected = ctx.selected;
  const display = selected.kind === 'postgres' ? selected.display : '';
  const versions = { mailmon: version, node: process.versions.node, platform: `${process.platform}-${process.arch}` };
  let checks: import('../app/doctor.js').DoctorCheck[];
  const migrations = { applied: 0, shipped: 0 };
  try {
    const { appliedPgMigrations, shippedPgMigrations } = await import('../adapters/postgres/database.js');
    const store = await ctx.postgres();
    checks = await sharedStoreChecks({
      daemons: (await ctx.storage()).daemons,
      leases: await ctx.leases().catch(() => ({ list: async () => [] })),
      clock: systemClock,
      display,
      livenessMs: ctx.leaseTtlMs,
      migrations: async () => Object.assign(migrations, { applied: (await appliedPgMigrations(store.pool)).length, shipped: shippedPgMigrations().length }),
    });
  } catch (error) {
    checks = [{ name: 'store reachable', ok: false, detail: `${display}: ${(error as Error)?.message ?? String(error)}`, fix: (error as { hint?: string })?.hint }];
  }
  checks.push({ name: 'sqlite checks', ok: true, detail: 'skipped: SQLite-only (integrity, journal); the store is PostgreSQL' });
  return { ok: checks.every((check) => check.ok), home: ctx.home.root, versions, migrations, checks };
}

/** What `mailmon api-keys` needs: the key port, the clock and key ids. */
export async function apiKeyDeps(ctx: CliContext): Promise<ApiKeyDeps & { newId: () => string }> {
  const { systemClock } = await import('../adapters/system/clock.js');
  return { storage: await ctx.storage(), clock: systemClock, newId: () => newId('key') };
}

/** `consumers list|remove`: the cursors, the log's head, and whether a holding listen still runs. */
export async function consumerDeps(ctx: CliContext): Promise<import('../app/consumers.js').ConsumerDeps> {
  const { pidAlive } = await import('../adapters/system/pid-file.js');
  const { consumers, events } = await ctx.storage();
  return { consumers, events, isAlive: pidAlive };
}
