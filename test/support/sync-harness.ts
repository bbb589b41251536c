/**
 * In-process harness for sync tests: a real fixture Gmail server on 127.0.0.1, a temp
 * MAILMON_HOME with a real SQLite store, a real login through the fixture's OAuth flow, and the
 * same service wiring the CLI uses.
 */
import fs from 'node:fs';
import { startFixtureServer, type FixtureServer, type FixtureServerOptions } from '../../src/fixtures/server.js';
import { CliContext } from '../../src/cli/context.js';
import { loginDeps, syncDeps } from '../../src/cli/services.js';
import { login, type ScopeName } from '../../src/app/login.js';
import { syncMailbox, type SyncDeps, type SyncSummary } from '../../src/app/sync-mailbox.js';
import { EventLog, parseStoredEvent } from '../../src/adapters/sqlite/event-log.js';
import type { MailmonEvent } from '../../src/core/events.js';
import { tempHome } from './cli.js';

export interface SyncHarness {
  server: FixtureServer;
  ctx: CliContext;
  home: string;
  mailboxId: string;
  emailAddress: string;
  sync(options?: { full?: boolean; deps?: Partial<SyncDeps> }): Promise<SyncSummary>;
  events(): MailmonEvent[];
  eventsAfter(sequence: number): MailmonEvent[];
  maxSequence(): number;
  /** Local state as the fixture's snapshot shape: sorted ids with sorted labels. */
  localSnapshot(): Array<{ id: string; threadId: string; labelIds: string[] }>;
  serverSnapshot(): Promise<Array<{ id: string; threadId: string; labelIds: string[] }>>;
  close(): Promise<void>;
}

export async function startSyncHarness(options: FixtureServerOptions = {}, loginOptions: { scope?: ScopeName } = {}): Promise<SyncHarness> {
  const server = await startFixtureServer({ quota: false, seed: 7, ...options });
  const home = tempHome('mailmon-sync-');
  const env: NodeJS.ProcessEnv = { MAILMON_HOME: home, MAILMON_SECRET_STORE: 'file' };
  const ctx = new CliContext(env);
  const loggedIn = await login(await loginDeps(ctx, { onAuthUrl: () => undefined }), { fixtureUrl: server.url, scope: loginOptions.scope });
  const sqlite = () => ctxStore.sqlite;
  const ctxStore = await ctx.store();
  const harness: SyncHarness = {
    server,
    ctx,
    home,
    mailboxId: loggedIn.mailboxId,
    emailAddress: loggedIn.emailAddress,
    async sync(syncOptions = {}) {
      const deps = { ...(await syncDeps(ctx, { unitsPerSecond: null, retry: { maxAttempts: 8, backoff: { baseMs: 20, maxMs: 200 } } })), visibilityRetriesMs: [50, 100, 200], ...syncOptions.deps };
      return syncMailbox(deps, { mailboxId: loggedIn.mailboxId, full: syncOptions.full });
    },
    events: () => new EventLog(sqlite()).readAfter(0, 1_000_000).map(parseStoredEvent),
    eventsAfter: (sequence) => new EventLog(sqlite()).readAfter(sequence, 1_000_000).map(parseStoredEvent),
    maxSequence: () => new EventLog(sqlite()).maxSequence(),
    localSnapshot: () =>
      (sqlite().prepare('select provider_message_id as id, provider_thread_id as threadId, label_ids as labelIds from messages where mailbox_id = ? order by provider_message_id').all(loggedIn.mailboxId) as Array<{ id: string; threadId: string; labelIds: string }>)
        .map((row) => ({ id: row.id, threadId: row.threadId, labelIds: (JSON.parse(row.labelIds) as string[]).sort() })),
    serverSnapshot: async () => (await server.control.snapshot({ mailbox: loggedIn.emailAddress })).messages.map((m) => ({ id: m.id, threadId: m.threadId, labelIds: [...m.labelIds].sort() })).sort((a, b) => a.id.localeCompare(b.id)),
    async close() {
      ctx.close();
      await server.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
  return harness;
}

export function countByType(events: MailmonEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) counts[event.type] = (counts[event.type] ?? 0) + 1;
  return counts;
}
