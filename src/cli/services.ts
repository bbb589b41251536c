/**
 * The composition root for commands: builds the dependencies of src/app use cases from the
 * CLI context (home, config, store) and the real adapters. Commands call these instead of
 * importing adapters themselves.
 */
import type { CliContext } from './context.js';
import type { CredentialVault } from '../adapters/secrets/credential-vault.js';
import { newId } from '../adapters/system/ids.js';
import type { SyncDeps } from '../app/sync-mailbox.js';
import type { LoginDeps } from '../app/login.js';
import { openGmailForMailbox, type GmailSessionDeps } from '../app/gmail-session.js';
import { AccessTokenCache } from '../adapters/gmail/access-tokens.js';

export async function credentialVault(ctx: CliContext): Promise<CredentialVault> {
  // Loaded on demand: the vault pulls in drizzle, which commands like status never need.
  const { openCredentialVault } = await import('../adapters/secrets/credential-vault.js');
  return openCredentialVault({ store: await ctx.store(), home: ctx.home, env: ctx.env, config: ctx.config });
}

export interface SyncOptions extends Pick<SyncDeps, 'onProgress' | 'onFetch' | 'signal' | 'waitMs'> {
  emitBackfill?: boolean;
  unitsPerSecond?: number | null;
  retry?: GmailSessionDeps['retry'];
}

export async function syncDeps(ctx: CliContext, options: SyncOptions): Promise<SyncDeps> {
  const store = await ctx.store();
  const vault = await credentialVault(ctx);
  // One per process: the daemon and listen build their sync deps once and sync with them for hours.
  const accessTokens = new AccessTokenCache();
  return {
    sqlite: store.sqlite,
    leasesDir: ctx.home.leases,
    ids: newId,
    now: Date.now,
    emitBackfill: options.emitBackfill ?? ctx.config.flag('sync.emit-backfill'),
    fetchByThread: ctx.config.flag('sync.fetch-by-thread'),
    openGmail: (mailbox, signal) => openGmailForMailbox({ sqlite: store.sqlite, config: ctx.config, credentials: vault, unitsPerSecond: options.unitsPerSecond, retry: options.retry, accessTokens }, mailbox, signal),
    onProgress: options.onProgress,
    onFetch: options.onFetch,
    signal: options.signal,
    waitMs: options.waitMs,
  };
}

export async function loginDeps(ctx: CliContext, options: Pick<LoginDeps, 'onAuthUrl' | 'signal'>): Promise<LoginDeps> {
  const store = await ctx.store();
  return {
    sqlite: store.sqlite,
    config: ctx.config,
    credentials: await credentialVault(ctx),
    ids: newId,
    now: Date.now,
    openBrowser: async (url) => {
      const { default: open } = await import('open');
      await open(url);
    },
    onAuthUrl: options.onAuthUrl,
    signal: options.signal,
  };
}

export { interruptSignal } from './interrupt.js';

export async function logoutDeps(ctx: CliContext): Promise<import('../app/logout.js').LogoutDeps> {
  const store = await ctx.store();
  const vault = await credentialVault(ctx);
  return {
    sqlite: store.sqlite, config: ctx.config, credentials: vault, now: Date.now, newEventId: () => newId('evt'),
    stopWatch: async (mailbox) => (await openGmailForMailbox({ sqlite: store.sqlite, config: ctx.config, credentials: vault, retry: { maxAttempts: 2, backoff: { baseMs: 200, maxMs: 1_000 } } }, mailbox, new AbortController().signal)).stop(),
  };
}

export async function verifyDeps(ctx: CliContext, options: { signal?: AbortSignal; waitMs?: number }): Promise<import('../app/verify-mailbox.js').VerifyDeps> {
  const store = await ctx.store();
  const vault = await credentialVault(ctx);
  return {
    sqlite: store.sqlite,
    leasesDir: ctx.home.leases,
    openGmail: (mailbox, signal) => openGmailForMailbox({ sqlite: store.sqlite, config: ctx.config, credentials: vault }, mailbox, signal),
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
  const store = await ctx.store();
  const { events, changes, consumers, mailboxes } = await ctx.storage();
  const sending = await sendingDeps(ctx, options);
  const deps: import('../app/listen.js').ListenDeps = {
    ...sending.deps,
    sqlite: store.sqlite,
    events, changes, consumers, mailboxes,
    sync: options.sync ? { deps: await syncDeps(ctx, {}), intervalMs: options.pollIntervalMs ?? ctx.config.durationMs('poll-interval'), ...(await listenPush(ctx)) } : null,
  };
  return { deps, close: sending.close };
}

/** Gmail push for listen's in-process sync when configured; its warnings go to stderr. */
async function listenPush(ctx: CliContext) {
  const { pushConfig } = await import('./services-push.js');
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
      now: Date.now,
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
  const store = await ctx.store();
  return (store.sqlite.prepare(`select count(*) as n from mailboxes where status in ('active', 'pending')`).get() as { n: number }).n;
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
    const target = await endpointTarget((await ctx.store()).sqlite, await credentialVault(ctx), input.endpoint);
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

/** `consumers list|remove`: the cursors, the log's head, and whether a holding listen still runs. */
export async function consumerDeps(ctx: CliContext): Promise<import('../app/consumers.js').ConsumerDeps> {
  const { pidAlive } = await import('../adapters/system/pid-file.js');
  const { consumers, events } = await ctx.storage();
  return { consumers, events, isAlive: pidAlive };
}
