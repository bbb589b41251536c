/**
 * The PushReceiver (src/app/push.ts) in process against the fixture server's users.watch and
 * Pub/Sub, with the Pub/Sub client and mailbox credentials the CLI wires (login --push,
 * push.credentials=mailbox), and a fake clock shared with the fixture: a watch is renewed a day
 * later, a failed renewal or a failing pull puts the mailbox back on the normal poll interval at
 * once (and wakes it), and `status` shows the failure with its reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry, Logger } from '../../src/core/log-entry.js';
import { PushReceiver, type PushNotification } from '../../src/app/push.js';
import { statusReport } from '../../src/app/status-report.js';

import { logoutDeps, syncDeps } from '../../src/cli/wiring.js';
import { logout } from '../../src/app/logout.js';
import { pubsubRequester } from '../../src/cli/wiring-push.js';
import { PubsubClient } from '../../src/adapters/gmail/pubsub-client.js';
import { systemClock } from '../../src/adapters/system/clock.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { authorizedClient, pubsub } from '../support/fixture-pubsub.js';
import { untilWith } from '../support/until.js';

const TOPIC = 'projects/mailmon-test/topics/gmail';
const SUBSCRIPTION = 'projects/mailmon-test/subscriptions/mailmon';
const DAY = 24 * 3600_000;

let harness: SyncHarness | undefined;
const controllers: AbortController[] = [];
afterEach(async () => {
  for (const controller of controllers.splice(0)) controller.abort();
  await harness?.close();
  harness = undefined;
});

function memoryLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (msg: string, fields?: Record<string, unknown>) => entries.push({ time: new Date().toISOString(), level, msg, ...fields });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const until = untilWith({ timeoutMs: 10_000, everyMs: 20 });

async function setup(options: { dropGraceMs?: number; labelIds?: string[] } = {}) {
  const clock = { now: Date.parse('2026-05-04T10:00:00Z') };
  harness = await startSyncHarness({ mailboxes: [{ generate: { messages: 10 } }], now: () => clock.now, accessTokenTtlSeconds: 60 * 24 * 3600, seed: 9 }, { push: true });
  const { server, ctx } = harness;
  const auth = await authorizedClient(server);
  expect((await pubsub(auth, server, 'PUT', TOPIC, {})).status).toBe(200);
  expect((await pubsub(auth, server, 'PUT', SUBSCRIPTION, { topic: TOPIC })).status).toBe(200);
  await harness.sync();
  await server.control.setPushFaults({ pullWaitMs: 200 });
  const deps = await syncDeps(ctx, { unitsPerSecond: null });
  const { sqlite } = await ctx.store();
  const wakes: Array<string | null> = [];
  const logger = memoryLogger();
  const subscription = new PubsubClient({ apiUrl: server.url, subscription: SUBSCRIPTION, client: pubsubRequester(ctx, { topic: TOPIC, subscription: SUBSCRIPTION, credentials: 'mailbox' }) });
  const pulls: Array<{ ok: boolean; received: PushNotification[] }> = [];
  const storage = await ctx.storage();
  const receiver = new PushReceiver({
    storage,
    subscription: {
      subscription: SUBSCRIPTION,
      async pull(signal) {
        try {
          const received = await subscription.pull(signal);
          pulls.push({ ok: true, received });
          return received;
        } catch (error) {
          pulls.push({ ok: false, received: [] });
          throw error;
        }
      },
      ack: (ackIds) => subscription.ack(ackIds),
    },
    topic: TOPIC,
    openGmail: deps.openGmail,
    wake: (mailboxId) => wakes.push(mailboxId),
    clock: { now: () => clock.now, sleep: systemClock.sleep },
    logger,
    watchCheckMs: 30,
    random: () => 0,
    ...(options.dropGraceMs !== undefined ? { dropGraceMs: options.dropGraceMs } : {}),
    ...(options.labelIds ? { labelIds: options.labelIds } : {}),
  });
  const controller = new AbortController();
  controllers.push(controller);
  const running = receiver.run(controller.signal);
  const watches = storage.pushWatches;
  return { clock, server, auth, receiver, wakes, logger, watches, running, controller, pulls, mailboxId: harness.mailboxId, sqlite };
}

describe('PushReceiver', () => {
  it('watches, renews a day later, and on a failed renewal returns to the normal interval and shows the reason in status', async () => {
    const world = await setup();
    const { clock, receiver, watches, mailboxId } = world;
    const first = await until('the first watch', async () => { const watch = await watches.get(mailboxId); return watch?.state === 'active' && watch; });
    expect(first).toMatchObject({ topic: TOPIC, expiration: clock.now + 7 * DAY, watchedAt: clock.now, error: null });
    await until('a healthy pull', () => world.pulls.some((pull) => pull.ok));
    await until('relaxed polling', () => receiver.intervalFor(mailboxId, 30_000, 600_000) === 600_000);

    // Not due yet an hour later; due a day later: renewed, at Gmail too.
    clock.now += 3600_000;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await watches.get(mailboxId))?.watchedAt).toBe(first.watchedAt);
    clock.now += DAY;
    const renewed = await until('the renewal', async () => { const watch = await watches.get(mailboxId); return watch?.watchedAt === clock.now && watch; });
    expect(renewed.expiration).toBe(clock.now + 7 * DAY);
    expect((await world.server.control.watchStatus()).mailboxes[0].watch).toMatchObject({ expiration: new Date(clock.now + 7 * DAY).toISOString(), expired: false });
    expect(world.logger.entries.map((entry) => entry.msg)).toContain('push watch renewed');

    // The topic disappears: the next renewal fails; the mailbox is woken and polled at the normal interval.
    expect((await pubsub(world.auth, world.server, 'DELETE', TOPIC)).status).toBe(200);
    const wakesBefore = world.wakes.length;
    clock.now += DAY;
    const failed = await until('the failed renewal', async () => { const watch = await watches.get(mailboxId); return watch?.state === 'failed' && watch; });
    expect(failed.error).toMatch(/404|not found/i);
    expect(receiver.intervalFor(mailboxId, 30_000, 600_000)).toBe(30_000);
    expect(world.wakes.slice(wakesBefore)).toContain(mailboxId);
    const report = await statusReport({ storage: await harness!.ctx.storage(), endpoints: [], daemon: null, now: clock.now, isLeased: () => false });
    expect(report.mailboxes[0].push).toMatchObject({ state: 'failed', topic: TOPIC, error: failed.error });
  });

  it('a failing pull puts every mailbox back on the normal interval at once and wakes it', async () => {
    const world = await setup();
    const { receiver, mailboxId } = world;
    await until('relaxed polling', () => receiver.intervalFor(mailboxId, 30_000, 600_000) === 600_000);
    expect((await pubsub(world.auth, world.server, 'DELETE', SUBSCRIPTION)).status).toBe(200);
    const wakesBefore = world.wakes.length;
    await until('the pull failing', () => world.pulls.some((pull) => !pull.ok));
    expect(receiver.intervalFor(mailboxId, 30_000, 600_000)).toBe(30_000);
    expect(world.wakes.slice(wakesBefore)).toContain(mailboxId);
    expect(world.logger.entries).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'push pull failed: polling at the normal interval', code: 'pubsub_error' }));
    expect(receiver.pullState()).toMatchObject({ subscription: SUBSCRIPTION, pull: 'failing', lastError: expect.stringMatching(/404/) });
  });

  it('a notification not newer than the cursor is acked without a wake; a newer one wakes and is acked once the cursor caught up', async () => {
    const world = await setup();
    const { server, mailboxId } = world;
    await until('a watch', async () => (await world.watches.get(mailboxId))?.state === 'active');
    await until('a healthy pull', () => world.pulls.some((pull) => pull.ok));
    const wakesBefore = world.wakes.length;
    await server.control.send({ subject: 'pushed' });
    await until('the wake', () => world.wakes.slice(wakesBefore).includes(mailboxId));
    let subscription = (await server.control.watchStatus()).topics[0].subscriptions[0];
    expect(subscription).toMatchObject({ outstanding: 1, acked: 0 });
    // The sync the wake asks for catches the cursor up; then the message is acked.
    const summary = await harness!.sync();
    world.receiver.observeSync(summary);
    await until('the ack', async () => (await server.control.watchStatus()).topics[0].subscriptions[0].acked === 1);
    // A duplicate of an old change (publish the same notification again): acked at once, no wake.
    const wakesAfter = world.wakes.length;
    const data = Buffer.from(JSON.stringify({ emailAddress: harness!.emailAddress, historyId: Number(summary.historyId) })).toString('base64');
    expect((await pubsub(world.auth, server, 'POST', `${TOPIC}:publish`, { messages: [{ data }] })).status).toBe(200);
    await until('the stale one acked', async () => (await server.control.watchStatus()).topics[0].subscriptions[0].acked === 2);
    subscription = (await server.control.watchStatus()).topics[0].subscriptions[0];
    expect(subscription).toMatchObject({ outstanding: 0, ready: 0 });
    expect(world.wakes.slice(wakesAfter)).not.toContain(mailboxId);
  });

  it('logout calls users.stop for a watched mailbox and records the watch stopped', async () => {
    const world = await setup();
    await until('a watch', async () => (await world.watches.get(world.mailboxId))?.state === 'active');
    world.controller.abort();
    await world.running;
    expect((await world.server.control.watchStatus()).mailboxes[0].watch).toBeDefined();
    const result = await logout(await logoutDeps(harness!.ctx), {});
    expect(result).toMatchObject({ watchStopped: true, revoked: true });
    expect((await world.server.control.watchStatus()).mailboxes[0].watch).toBeUndefined();
    expect(await world.watches.get(world.mailboxId)).toMatchObject({ state: 'stopped', expiration: null });
    const stops = (await world.server.control.requests({})).filter((request) => request.path.endsWith('/stop'));
    expect(stops).toHaveLength(1);
  });

  it('a change a poll finds without its notification (dropped) puts the mailbox back on the normal interval until pushes come again', async () => {
    const world = await setup({ dropGraceMs: 100 });
    const { server, receiver, mailboxId } = world;
    await until('relaxed polling', () => receiver.intervalFor(mailboxId, 30_000, 600_000) === 600_000);
    receiver.observeSync(await harness!.sync()); // the cursor this process starts from
    await server.control.setPushFaults({ dropRate: 1 });
    await server.control.send({ subject: 'dropped' });
    const found = await harness!.sync();
    expect(found.created).toBe(1);
    receiver.observeSync(found);
    await until('the drop noticed', () => receiver.intervalFor(mailboxId, 30_000, 600_000) === 30_000);
    expect(world.logger.entries.map((entry) => entry.msg)).toContain('push notifications stopped for a mailbox while polls still find changes: polling at the normal interval');
    // Pushes arrive again: relaxed again.
    await server.control.clearPushFaults();
    await server.control.send({ subject: 'notified' });
    await until('relaxed again', () => receiver.intervalFor(mailboxId, 30_000, 600_000) === 600_000);
  });

  it('a delayed notification that arrives within the grace period is not taken for a drop', async () => {
    const world = await setup({ dropGraceMs: 1_500 });
    const { server, receiver, mailboxId } = world;
    await until('relaxed polling', () => receiver.intervalFor(mailboxId, 30_000, 600_000) === 600_000);
    receiver.observeSync(await harness!.sync());
    await server.control.setPushFaults({ delayMs: 500 });
    await server.control.send({ subject: 'late' });
    receiver.observeSync(await harness!.sync()); // the poll beats the notification
    await until('the late notification', async () => (await server.control.watchStatus()).topics[0].subscriptions[0].delivered >= 1);
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    expect(receiver.intervalFor(mailboxId, 30_000, 600_000)).toBe(600_000);
  });

  it('watches with the configured label filter (push.label-ids)', async () => {
    const world = await setup({ labelIds: ['STARRED'] });
    await until('a watch', async () => (await world.watches.get(world.mailboxId))?.state === 'active');
    expect((await world.server.control.watchStatus()).mailboxes[0].watch).toMatchObject({ topicName: TOPIC, labelIds: ['STARRED'], labelFilterBehavior: 'include' });
    // A change outside the filter is not notified; one inside is.
    const wakesBefore = world.wakes.length;
    const sent = await world.server.control.send({ subject: 'not starred' });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(world.wakes.slice(wakesBefore)).not.toContain(world.mailboxId);
    await world.server.control.modify({ id: sent.id, addLabelIds: ['STARRED'] });
    await until('the wake for the starred change', () => world.wakes.slice(wakesBefore).includes(world.mailboxId));
  });
});
