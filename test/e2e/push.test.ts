/**
 * Issue 18 through the built CLI's daemon: Gmail push (users.watch + a Pub/Sub pull subscription
 * on the fixture server) wakes the sync within a second while polling is relaxed to 10 minutes;
 * duplicated, dropped, delayed and out-of-order notifications are harmless; a failed watch falls
 * back to polling and shows in `status`; messages unacked when the daemon is SIGKILLed are
 * redelivered and nothing is lost.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { daemonPaths } from '../../src/adapters/system/daemon-client.js';
import { parseJson, runCli, startCli, tempHome, waitForLine } from '../support/cli.js';
import { startServer, type TestServer } from '../support/http-server.js';
import { authorizedClient, pubsub } from '../support/fixture-pubsub.js';
import { untilWith } from '../support/until.js';

const TOPIC = 'projects/mailmon-test/topics/gmail';
const SUBSCRIPTION = 'projects/mailmon-test/subscriptions/mailmon';

interface World {
  server: FixtureServer;
  home: string;
  env: Record<string, string>;
  app: TestServer;
  endpointId: string;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const until = untilWith({ timeoutMs: 20_000, everyMs: 50 });

/** A fixture server with a topic and a subscription, a home logged in with --push, a registered endpoint, a running daemon. */
async function world(options: { env?: Record<string, string>; ackDeadlineSeconds?: number; topic?: string; seed?: number } = {}): Promise<World> {
  const server = await startFixtureServer({ quota: false, seed: options.seed ?? 21, mailboxes: [{ generate: { messages: 12 } }] });
  cleanups.push(() => server.close());
  const auth = await authorizedClient(server);
  expect((await pubsub(auth, server, 'PUT', TOPIC, {})).status).toBe(200);
  expect((await pubsub(auth, server, 'PUT', SUBSCRIPTION, { topic: TOPIC, ackDeadlineSeconds: options.ackDeadlineSeconds ?? 10 })).status).toBe(200);
  const home = tempHome('mailmon-push-');
  const env = {
    MAILMON_QUOTA_UNITS_PER_SECOND: '100000',
    MAILMON_POLL_INTERVAL: '10m',
    MAILMON_PUBSUB_API_URL: server.url,
    MAILMON_PUSH_TOPIC: options.topic ?? TOPIC,
    MAILMON_PUSH_SUBSCRIPTION: SUBSCRIPTION,
    MAILMON_PUSH_CREDENTIALS: 'mailbox',
    ...options.env,
  };
  const app = await startServer((_request, response) => response.writeHead(204).end());
  cleanups.push(() => app.close());
  const login = await runCli(['login', '--fixture', server.url, '--push'], { home, env });
  expect(login.exitCode, login.stderr).toBe(0);
  expect((await runCli(['sync'], { home, env })).exitCode).toBe(0);
  const added = await runCli(['webhooks', 'add', `${app.url}/hooks`, '--events', 'message.*', '--skip-verification', '--json'], { home, env });
  expect(added.exitCode, added.stderr).toBe(0);
  const started = await runCli(['daemon', 'start'], { home, env, timeoutMs: 60_000 });
  expect(started.exitCode, started.stderr).toBe(0);
  cleanups.push(async () => {
    await runCli(['daemon', 'stop'], { home, env, timeoutMs: 60_000 });
  });
  return { server, home, env, app, endpointId: parseJson<{ id: string }>(added.stdout).id };
}

async function status(w: World) {
  const result = await runCli(['status', '--json'], { home: w.home, env: w.env });
  expect(result.exitCode, result.stderr).toBe(0);
  return parseJson<{ push: null | { subscription: string; pull: string }; mailboxes: Array<{ emailAddress: string; push: null | { state: string; topic: string; error: string | null; expiration: string | null } }> }>(result.stdout);
}

async function pushActive(w: World) {
  await until('a watch at the fixture', async () => (await w.server.control.watchStatus()).mailboxes[0].watch?.expired === false);
  // The watch is on at the fixture too, and the daemon's pull is waiting.
  await until('a pull in flight', async () => (await w.server.control.requests({})).some((request) => request.path.endsWith(':pull')));
}

/** How many message.created events the log holds for each of `messageIds` (one `events list`). */
async function createdEventsFor(w: World, ...messageIds: string[]): Promise<number[]> {
  const result = await runCli(['events', 'list', '--json', '--limit', '1000'], { home: w.home, env: w.env });
  const created = parseJson<Array<{ type: string }>>(result.stdout).filter((event) => event.type === 'message.created').map((event) => JSON.stringify(event));
  return messageIds.map((id) => created.filter((event) => event.includes(id)).length);
}

describe('Gmail push wakes the daemon', () => {
  it('with a 10-minute poll interval, a change becomes a delivered webhook within 1 s', async () => {
    const w = await world();
    await pushActive(w);
    const latencies: number[] = [];
    for (let round = 0; round < 3; round++) {
      const started = Date.now();
      const sent = await w.server.control.send({ subject: `pushed ${round}` });
      await until('the webhook', () => w.app.requests.find((request) => request.body.includes(sent.id)), 5_000, 10);
      latencies.push(Date.now() - started);
    }
    expect(Math.max(...latencies), `latencies ${latencies.join(', ')} ms`).toBeLessThan(1_000);
    const report = await status(w);
    expect(report.push).toMatchObject({ subscription: SUBSCRIPTION, pull: 'ok' });
    const mailbox = report.mailboxes[0];
    expect(mailbox.push).toMatchObject({ state: 'active', topic: TOPIC, error: null });
    expect(Date.parse(mailbox.push!.expiration!)).toBeGreaterThan(Date.now() + 6 * 24 * 3600_000);
    const listed = await runCli(['mailboxes'], { home: w.home, env: w.env });
    expect(listed.stdout).toMatch(/PUSH\n.*active\n$/);
  }, 120_000);

  it('duplicated notifications: one event and one history sync per change', async () => {
    const w = await world();
    await pushActive(w);
    await w.server.control.setPushFaults({ duplicateRate: 1 });
    const since = Date.now();
    const sent = await w.server.control.send({ subject: 'twice notified' });
    await until('the webhook', () => w.app.requests.find((request) => request.body.includes(sent.id)), 5_000, 10);
    // Both copies were delivered and acked.
    await until('both copies acked', async () => {
      const subscription = (await w.server.control.watchStatus()).topics[0].subscriptions[0];
      return subscription.delivered >= 2 && subscription.outstanding === 0 && subscription.ready === 0;
    });
    const watch = (await w.server.control.watchStatus()).mailboxes[0].watch!;
    expect(watch.duplicated).toBeGreaterThanOrEqual(1);
    const historyCalls = (await w.server.control.requests({ since })).filter((request) => request.path.includes('/history'));
    expect(historyCalls).toHaveLength(1);
    expect(await createdEventsFor(w, sent.id)).toEqual([1]);
    expect(w.app.requests.filter((request) => request.body.includes(sent.id))).toHaveLength(1);
  }, 120_000);

  it('dropped notifications: the fallback poll catches the change, and the mailbox returns to the normal interval', async () => {
    const w = await world({ env: { MAILMON_POLL_INTERVAL: '1s', MAILMON_PUSH_POLL_INTERVAL: '2s', MAILMON_TEST_PUSH_DROP_GRACE_MS: '300' } });
    await pushActive(w);
    await w.server.control.setPushFaults({ dropRate: 1 });
    const sent = await w.server.control.send({ subject: 'never notified' });
    await until('the webhook from the fallback poll', () => w.app.requests.find((request) => request.body.includes(sent.id)), 10_000);
    expect((await w.server.control.watchStatus()).mailboxes[0].watch!.dropped).toBe(1);
    const logFile = daemonPaths(w.home).logFile;
    await until('the daemon noticing', () => fs.readFileSync(logFile, 'utf8').includes('push notifications stopped for a mailbox'), 10_000);
    expect(await createdEventsFor(w, sent.id)).toEqual([1]);
  }, 120_000);

  it('delayed and out-of-order notifications are harmless: every change once, local state equals Gmail', async () => {
    const w = await world();
    await pushActive(w);
    await w.server.control.setPushFaults({ delayMs: 100, jitterMs: 600, seed: 5 });
    const sent = [];
    for (let i = 0; i < 4; i++) sent.push(await w.server.control.send({ subject: `late ${i}` }));
    await w.server.control.modify({ id: sent[0].id, addLabelIds: ['STARRED'] });
    for (const message of sent) await until(`the webhook for ${message.id}`, () => w.app.requests.find((request) => request.body.includes(message.id)), 10_000);
    await until('every notification published and acked', async () => {
      const push = await w.server.control.watchStatus();
      const subscription = push.topics[0].subscriptions[0];
      return push.mailboxes[0].watch!.pending === 0 && subscription.ready === 0 && subscription.outstanding === 0;
    });
    expect(await createdEventsFor(w, ...sent.map((message) => message.id))).toEqual(sent.map(() => 1));
    const verify = await runCli(['verify', '--json'], { home: w.home, env: w.env });
    expect(verify.exitCode, verify.stdout + verify.stderr).toBe(0);
  }, 120_000);

  it('a failed watch falls back to polling and shows in status and mailboxes with its reason', async () => {
    const w = await world({ topic: 'projects/mailmon-test/topics/missing', env: { MAILMON_POLL_INTERVAL: '500ms' } });
    const mailbox = await until('a failed watch', async () => {
      const row = (await status(w)).mailboxes[0];
      return row.push?.state === 'failed' && row;
    });
    expect(mailbox.push!.error).toMatch(/topic|not found|404/i);
    const human = await runCli(['status'], { home: w.home, env: w.env });
    expect(human.stdout).toMatch(/failed: /);
    // Polling at the normal interval still delivers.
    const sent = await w.server.control.send({ subject: 'polled' });
    await until('the webhook from polling', () => w.app.requests.find((request) => request.body.includes(sent.id)), 10_000);
  }, 120_000);

  it('messages unacked when the daemon is SIGKILLed are redelivered after a restart; nothing is lost', async () => {
    const w = await world({ ackDeadlineSeconds: 2 });
    await pushActive(w);
    // A slow Gmail keeps the woken sync running, so the notification is pulled but not acked yet.
    await w.server.control.setFaults({ latencyMs: 4_000 });
    const sent = await w.server.control.send({ subject: 'across a crash' });
    await until('the notification pulled, not acked', async () => (await w.server.control.watchStatus()).topics[0].subscriptions[0].outstanding === 1);
    const pid = parseJson<{ pid: number }>(fs.readFileSync(daemonPaths(w.home).pidFile, 'utf8')).pid;
    process.kill(pid, 'SIGKILL');
    await until('the daemon gone', () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    });
    await w.server.control.clearFaults();
    const before = (await w.server.control.watchStatus()).topics[0].subscriptions[0];
    expect(before.acked).toBe(0);
    expect(await createdEventsFor(w, sent.id)).toEqual([0]);

    const restarted = await runCli(['daemon', 'start'], { home: w.home, env: w.env, timeoutMs: 60_000 });
    expect(restarted.exitCode, restarted.stderr).toBe(0);
    await until('the webhook after the restart', () => w.app.requests.find((request) => request.body.includes(sent.id)), 20_000);
    const after = await until('the redelivered message acked', async () => {
      const subscription = (await w.server.control.watchStatus()).topics[0].subscriptions[0];
      return subscription.acked >= 1 && subscription.outstanding === 0 && subscription.ready === 0 && subscription;
    });
    expect(after.delivered).toBeGreaterThanOrEqual(2);
    expect(await createdEventsFor(w, sent.id)).toEqual([1]);
  }, 150_000);

  it('doctor says exactly what is missing: the topic, the subscription; then the subscription pulls', async () => {
    const server = await startFixtureServer({ quota: false, seed: 4, mailboxes: [{ generate: { messages: 2 } }] });
    cleanups.push(() => server.close());
    const home = tempHome('mailmon-push-doctor-');
    const env = { MAILMON_PUBSUB_API_URL: server.url, MAILMON_PUSH_TOPIC: TOPIC, MAILMON_PUSH_SUBSCRIPTION: SUBSCRIPTION, MAILMON_PUSH_CREDENTIALS: 'mailbox' };
    expect((await runCli(['login', '--fixture', server.url, '--push'], { home, env })).exitCode).toBe(0);
    const checks = async () => {
      const result = await runCli(['doctor', '--json'], { home, env });
      return { exitCode: result.exitCode, checks: parseJson<{ checks: Array<{ name: string; ok: boolean; detail: string; fix?: string }> }>(result.stdout).checks.filter((check) => check.name.startsWith('push')) };
    };
    let report = await checks();
    expect(report.exitCode).toBe(1);
    expect(report.checks).toContainEqual({ name: 'push topic', ok: false, detail: `the topic ${TOPIC} does not exist`, fix: 'gcloud pubsub topics create gmail --project mailmon-test' });
    expect(report.checks).toContainEqual({ name: 'push subscription', ok: false, detail: `the subscription ${SUBSCRIPTION} does not exist`, fix: `gcloud pubsub subscriptions create mailmon --topic ${TOPIC} --project mailmon-test` });

    const auth = await authorizedClient(server);
    expect((await pubsub(auth, server, 'PUT', TOPIC, {})).status).toBe(200);
    expect((await pubsub(auth, server, 'PUT', SUBSCRIPTION, { topic: TOPIC })).status).toBe(200);
    // A message waiting on the subscription is handed back, not consumed, by the probe.
    expect((await pubsub(auth, server, 'POST', `${TOPIC}:publish`, { messages: [{ data: Buffer.from('{}').toString('base64') }] })).status).toBe(200);
    report = await checks();
    expect(report.checks.filter((check) => !check.ok)).toEqual([]);
    expect(report.checks.map((check) => check.name)).toEqual(['push topic', 'push subscription', 'push pull', 'push IAM grant']);
    expect(report.checks.find((check) => check.name === 'push pull')?.detail).toContain('1 message(s) waiting');
    const subscription = (await server.control.watchStatus()).topics[0].subscriptions[0];
    expect(subscription).toMatchObject({ ready: 1, acked: 0, outstanding: 0 });
  }, 120_000);

  it('listen without a daemon uses push the same way: a change is forwarded within 1 s at a 10-minute poll interval', async () => {
    const server = await startFixtureServer({ quota: false, seed: 8, mailboxes: [{ generate: { messages: 5 } }] });
    cleanups.push(() => server.close());
    const auth = await authorizedClient(server);
    expect((await pubsub(auth, server, 'PUT', TOPIC, {})).status).toBe(200);
    expect((await pubsub(auth, server, 'PUT', SUBSCRIPTION, { topic: TOPIC })).status).toBe(200);
    const home = tempHome('mailmon-push-listen-');
    const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '100000', MAILMON_POLL_INTERVAL: '10m', MAILMON_PUBSUB_API_URL: server.url, MAILMON_PUSH_TOPIC: TOPIC, MAILMON_PUSH_SUBSCRIPTION: SUBSCRIPTION, MAILMON_PUSH_CREDENTIALS: 'mailbox' };
    expect((await runCli(['login', '--fixture', server.url, '--push'], { home, env })).exitCode).toBe(0);
    expect((await runCli(['sync'], { home, env })).exitCode).toBe(0);
    const rx = await startServer((_request, response) => response.writeHead(204).end());
    cleanups.push(() => rx.close());
    const listen = startCli(['listen', '--forward-to', `${rx.url}/hook`, '--from-now'], { home, env });
    cleanups.push(async () => {
      listen.kill('SIGKILL');
    });
    await waitForLine(listen, 'stderr', (line) => line.startsWith('Ready!'));
    await until('a watch at the fixture', async () => (await server.control.watchStatus()).mailboxes[0].watch?.expired === false);
    await until('a pull in flight', async () => (await server.control.requests({})).some((request) => request.path.endsWith(':pull')));
    const started = Date.now();
    const sent = await server.control.send({ subject: 'pushed to listen' });
    await until('the forwarded event', () => rx.requests.find((request) => request.body.includes(sent.id)), 5_000, 10);
    expect(Date.now() - started).toBeLessThan(1_000);
  }, 120_000);

  it('doctor names missing Application Default Credentials and how to get them', async () => {
    const server = await startFixtureServer({ quota: false, seed: 4, mailboxes: [{ generate: { messages: 1 } }] });
    cleanups.push(() => server.close());
    const home = tempHome('mailmon-push-adc-');
    const env = { MAILMON_PUBSUB_API_URL: server.url, MAILMON_PUSH_TOPIC: TOPIC, MAILMON_PUSH_SUBSCRIPTION: SUBSCRIPTION, GOOGLE_APPLICATION_CREDENTIALS: `${home}/no-such-credentials.json` };
    const result = await runCli(['doctor', '--json'], { home, env });
    expect(result.exitCode).toBe(1);
    const topic = parseJson<{ checks: Array<{ name: string; ok: boolean; detail: string; fix?: string }> }>(result.stdout).checks.find((check) => check.name === 'push topic');
    expect(topic).toMatchObject({ ok: false, detail: expect.stringContaining('No Application Default Credentials for Pub/Sub'), fix: expect.stringContaining('gcloud auth application-default login') });
  }, 60_000);
});
