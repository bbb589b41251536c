/**
 * Builds the demo's world from real parts: a fixture Gmail server, a verifying receiver on
 * 127.0.0.1, a private MAILMON_HOME, and the same use cases a user runs (login, sync, listen,
 * replay). Cleans everything up on close (the home too, unless kept).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliContext } from './context.js';
import { listenDeps, loginDeps, replayDeps, replaySourceDeps, syncDeps } from './wiring.js';
import { syncProgressReporter } from './sync-progress.js';
import { startFixtureServer } from '../fixtures/server.js';
import { startVerifyingReceiver } from '../adapters/http/verifying-receiver.js';
import { generateWebhookSecret } from '../adapters/http/webhook-secret.js';
import { EventLog, parseStoredEvent } from '../adapters/sqlite/event-log.js';
import { login } from '../app/login.js';
import { syncMailbox } from '../app/sync-mailbox.js';
import { listen, openListenConsumer } from '../app/listen.js';
import { replaySource, replayToUrl } from '../app/replay.js';
import type { DemoEnvironment } from '../app/demo.js';
import { systemClock } from '../adapters/system/clock.js';

export interface DemoWorld {
  env: DemoEnvironment;
  home: string;
  close(options: { keep: boolean }): Promise<void>;
}

export async function createDemoWorld(options: { messages: number; home?: string; json: boolean; userAgent: string }): Promise<DemoWorld> {
  const home = options.home ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-demo-')), 'home');
  const secret = generateWebhookSecret();
  const ctx = new CliContext({ ...process.env, MAILMON_HOME: home, MAILMON_SECRET_STORE: 'file', MAILMON_WEBHOOK_SECRET: secret, MAILMON_LISTEN_RETRY_SCHEDULE: '200ms,1s,2s' });
  const fixture = await startFixtureServer({ seed: 42, mailboxes: [{ generate: { messages: options.messages, seed: 42 } }] });
  const receiver = await startVerifyingReceiver(secret);
  const store = await ctx.store();
  const log = new EventLog(store.sqlite);
  let mailboxId = '';
  let firstSync = true;

  const env: DemoEnvironment = {
    fixtureUrl: fixture.url,
    control: fixture.control,
    receiverUrl: receiver.url,
    deliveries: () => receiver.deliveries,
    clock: systemClock,
    async login() {
      const result = await login(await loginDeps(ctx, { onAuthUrl: () => undefined }), { fixtureUrl: fixture.url });
      mailboxId = result.mailboxId;
      return result;
    },
    async sync() {
      const progress = firstSync ? await syncProgressReporter({ json: options.json, label: () => 'Initial sync' }) : undefined;
      firstSync = false;
      try {
        return await syncMailbox(await syncDeps(ctx, { onProgress: progress?.onProgress }), { mailboxId });
      } finally {
        progress?.stop();
      }
    },
    async startForwarding() {
      const { deps, close } = await listenDeps(ctx, { sync: false, maxInFlight: 16, userAgent: options.userAgent });
      const controller = new AbortController();
      const consumer = await openListenConsumer(await ctx.storage(), { url: receiver.url, start: { kind: 'now' }, invokedAt: Date.now(), now: Date.now, pid: process.pid });
      const running = listen(deps, { consumer, headers: {}, secret, maxInFlight: 16, signal: controller.signal, onRecord: () => undefined });
      return {
        async stop() {
          controller.abort();
          await running.catch(() => undefined);
          await close();
        },
      };
    },
    async replayLastHour() {
      const { deps, close } = await replayDeps(ctx, { maxInFlight: 16, userAgent: options.userAgent });
      try {
        const selection = await replaySource(await replaySourceDeps(ctx), { source: { kind: 'window', since: Date.now() - 3_600_000 } });
        return await replayToUrl(deps, { source: selection.source, count: selection.count, target: { url: receiver.url, headers: {}, secrets: [secret], scheme: 'both' }, maxInFlight: 16, maxAttempts: 3, signal: new AbortController().signal, onRecord: () => undefined });
      } finally {
        await close();
      }
    },
    eventsAfter: (sequence) => log.readAfter(sequence, 100_000).map(parseStoredEvent),
    maxSequence: () => log.maxSequence(),
  };

  return {
    env,
    home,
    async close({ keep }) {
      ctx.close();
      await receiver.close();
      await fixture.close();
      if (!keep && !options.home) fs.rmSync(path.dirname(home), { recursive: true, force: true });
    },
  };
}
