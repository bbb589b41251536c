/**
 * In-process harness for sync tests: a real fixture Gmail server on 127.0.0.1, a temp
 * MAILMON_HOME with a real SQLite store, a real login through the fixture's OAuth flow, and the
 * same service wiring the CLI uses.
 */
import fs from 'node:fs';
import { startFixtureServer, type FixtureServer, type FixtureServerOptions } from '../../src/fixtures/server.js';
import { CliContext } from '../../src/cli/context.js';
import { loginDeps, syncDeps } from '../../src/cli/wiring.js';
import { login, type ScopeName } from '../../src/app/login.js';
import { syncMailbox, type SyncDeps, type SyncSummary } from '../../src/app/sync-mailbox.js';
import { EventLog, parseStoredEvent } from '../../src/adapters/sqlite/event-log.js';
import type { MailmonEvent } from '../../src/core/events.js';
import type { GmailPort } from '../../src/adapters/gmail/gmail-api.js';
import { tempHome } from './cli.js';

export interface SyncHarness {
  server: FixtureServer;
  ctx: CliContext;
  home: string;
  mailboxId: string;
  emailAddress: string;
  /** `wrapGmail` sees the real Gmail port and may return one that adds a hook around its calls. */
  sync(options?: { full?: boolean; deps?: Partial<SyncDeps>; wrapGmail?: (port: GmailPort) => GmailPort }): Promise<SyncSummary>;
  events(): MailmonEvent[];
  eventsAfter(sequence: number): MailmonEvent[];
  maxSequence(): number;
  /** Local state as the fixture's snapshot shape: sorted ids with sorted labels. */
  localSnapshot(): Array<{ id: string; threadId: string; labelIds: string[] }>;
  serverSnapshot(): Promise<Array<{ id: string; threadId: string; labelIds: string[] }>>;
  close(): Promise<void>;
}

/** With `server`, a second home on an already running fixture server (left running on close). */
export async function startSyncHarness(options: FixtureServerOptions & { server?: FixtureServer } = {}, loginOptions: { scope?: ScopeName; push?: boolean } = {}): Promise<SyncHarness> {
  const { server: shared, ...serverOptions } = options;
  const server = shared ?? (await startFixtureServer({ quota: false, seed: 7, ...serverOptions }));
  const home = tempHome('mailmon-sync-');
  const env: NodeJS.ProcessEnv = { MAILMON_HOME: home, MAILMON_SECRET_STORE: 'file' };
  const ctx = new CliContext(env);
  const loggedIn = await login(await loginDeps(ctx, { onAuthUrl: () => undefined }), { fixtureUrl: server.url, scope: loginOptions.scope, push: loginOptions.push });
  const sqlite = () => ctxStore.sqlite;
  const ctxStore = await ctx.store();
  const harness: SyncHarness = {
    server,
    ctx,
    home,
    mailboxId: loggedIn.mailboxId,
    emailAddress: loggedIn.emailAddress,
    async sync(syncOptions = {}) {
      const base = await syncDeps(ctx, { unitsPerSecond: null, retry: { maxAttempts: 8, backoff: { baseMs: 20, maxMs: 200 } } });
      const wrap = syncOptions.wrapGmail;
      const openGmail: SyncDeps['openGmail'] = wrap ? async (mailbox, signal) => wrap(await base.openGmail(mailbox, signal)) : base.openGmail;
      const deps = { ...base, openGmail, visibilityRetriesMs: [50, 100, 200], ...syncOptions.deps };
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
      if (!shared) await server.close();
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
