/**
 * Composition root for Gmail push: null unless push.topic and push.subscription are
 * set; else the Pub/Sub client (Application Default Credentials, or with push.credentials=mailbox
 * a mailbox's own OAuth token — one granted the pubsub scope by `login --push` when there is one)
 * and what the daemon or `listen` needs to run a PushReceiver.
 */
import type { CliContext } from './context.js';
import { credentialVault } from './wiring.js';
import { MailmonError } from '../core/errors.js';
import { PubsubClient, PUBSUB_SCOPE, type RequestingClient } from '../adapters/gmail/pubsub-client.js';
import { oauthClientForMailbox, openGmailForMailbox } from './gmail-session.js';
import type { PushConfig } from '../app/push.js';
import type { SqliteStore } from '../adapters/sqlite/database.js';
import { sqliteStorage } from '../adapters/sqlite/sqlite-storage.js';
import { pushDoctorChecks } from '../app/doctor-push-checks.js';

export interface PushSetup {
  topic: string;
  subscription: string;
  credentials: 'adc' | 'mailbox';
}

export function pushSetup(ctx: CliContext): PushSetup | null {
  const topic = ctx.config.optional('push.topic');
  const subscription = ctx.config.optional('push.subscription');
  if (!topic || !subscription) return null;
  return { topic, subscription, credentials: ctx.config.string('push.credentials') as 'adc' | 'mailbox' };
}

/** Resolved at the first request, so missing credentials show up as a failing pull (and in doctor), not a crash. */
export function pubsubRequester(ctx: CliContext, setup: PushSetup): RequestingClient {
  let client: Promise<RequestingClient> | null = null;
  const resolve = async (): Promise<RequestingClient> => {
    if (setup.credentials === 'adc') {
      const { GoogleAuth } = await import('google-auth-library');
      try {
        return (await new GoogleAuth({ scopes: [PUBSUB_SCOPE] }).getClient()) as unknown as RequestingClient;
      } catch (error) {
        throw new MailmonError('pubsub_error', `No Application Default Credentials for Pub/Sub: ${(error as Error).message}`, { hint: 'Run "gcloud auth application-default login" (or set GOOGLE_APPLICATION_CREDENTIALS), or set push.credentials to mailbox after "mailmon login --push".' });
      }
    }
    const storage = await ctx.storage();
    const active = (await storage.mailboxes.list()).filter((mailbox) => mailbox.status === 'active' || mailbox.status === 'pending');
    const mailbox = active.find((candidate) => /\/auth\/(pubsub|cloud-platform)\b/.test(candidate.scope ?? '')) ?? active[0];
    if (!mailbox) throw new MailmonError('pubsub_error', 'push.credentials is mailbox, but no mailbox is logged in.', { hint: 'Run "mailmon login --push".' });
    return (await oauthClientForMailbox({ envelopes: storage.credentialEnvelopes, config: ctx.config, credentials: await credentialVault(ctx) }, mailbox)) as unknown as RequestingClient;
  };
  return {
    async request(options) {
      client ??= resolve();
      client.catch(() => (client = null));
      return (await client).request(options);
    },
  };
}

export function pubsubClient(ctx: CliContext, setup: PushSetup): PubsubClient {
  return new PubsubClient({ apiUrl: ctx.config.string('pubsub.api-url'), subscription: setup.subscription, client: pubsubRequester(ctx, setup) });
}

/** What the daemon's (or listen's) PushReceiver needs; null when push is not configured. */
export async function pushConfig(ctx: CliContext): Promise<PushConfig | null> {
  const setup = pushSetup(ctx);
  if (!setup) return null;
  const storage = await ctx.storage();
  const vault = await credentialVault(ctx);
  const labelIds = ctx.config.optional('push.label-ids')?.split(',').map((label) => label.trim()).filter(Boolean);
  return {
    storage,
    topic: setup.topic,
    subscription: pubsubClient(ctx, setup),
    ...(labelIds?.length ? { labelIds } : {}),
    openGmail: (mailbox, signal) => openGmailForMailbox({ envelopes: storage.credentialEnvelopes, config: ctx.config, credentials: vault }, mailbox, signal),
    relaxedIntervalMs: () => ctx.config.durationMs('push.poll-interval'),
    ...testTimings(ctx.env),
  };
}

/** Test-only knobs (e2e tests cannot pass options into a child daemon): short checks and grace periods. */
function testTimings(env: NodeJS.ProcessEnv): Partial<PushConfig> {
  const ms = (name: string) => (env[name] && /^\d+$/.test(env[name]!) ? Number(env[name]) : undefined);
  const timings: Partial<PushConfig> = {};
  const watchCheckMs = ms('MAILMON_TEST_PUSH_WATCH_CHECK_MS');
  const dropGraceMs = ms('MAILMON_TEST_PUSH_DROP_GRACE_MS');
  if (watchCheckMs !== undefined) timings.watchCheckMs = watchCheckMs;
  if (dropGraceMs !== undefined) timings.dropGraceMs = dropGraceMs;
  return timings;
}

/** doctor's push checks over the open store (a no-op line when push is off). */
export function pushDoctorCheck(ctx: CliContext) {
  return (store: SqliteStore) => {
    const setup = pushSetup(ctx);
    return pushDoctorChecks(sqliteStorage(store), { setup, inspector: setup ? pubsubClient(ctx, setup) : null, now: Date.now() });
  };
}
