/**
 * Gmail push through the fixture server, driven as an app would: Google's Gmail client for
 * users.watch / users.stop, and authorized Pub/Sub REST calls through google-auth-library for
 * topics, subscriptions, pull, acknowledge and modifyAckDeadline. Responses are checked against
 * the discovery documents (Gmail's and Pub/Sub's).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OAuth2Client } from 'google-auth-library';
import type { gmail_v1 } from '@googleapis/gmail';
import { startFixtureServer, type FixtureServer, type FixtureServerOptions } from '../../src/fixtures/server.js';
import { expectSchema } from '../support/discovery-schema.js';
import { connectedGmail, failure } from '../support/fixture-gmail.js';
import { authorizedClient, pubsub, pullNotifications } from '../support/fixture-pubsub.js';

const TOPIC = 'projects/mailmon-test/topics/gmail';
const SUBSCRIPTION = 'projects/mailmon-test/subscriptions/mailmon';

interface World {
  server: FixtureServer;
  gmail: gmail_v1.Gmail;
  auth: OAuth2Client;
  clock: { now: number };
}

const servers: FixtureServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** A server, a Gmail client, a pubsub-scoped client, a topic and a subscription on it. */
async function world(options: FixtureServerOptions & { ackDeadlineSeconds?: number; fakeClock?: boolean } = {}): Promise<World> {
  const clock = { now: Date.parse('2026-05-04T10:00:00Z') };
  // Tokens outlive the fake clock's jumps (a week at most).
  const server = await startFixtureServer({ seed: 3, quota: false, accessTokenTtlSeconds: 30 * 24 * 3600, mailboxes: [{ generate: { messages: 20 } }], ...(options.fakeClock ? { now: () => clock.now } : {}), ...options });
  servers.push(server);
  const { api } = await connectedGmail(server);
  const auth = await authorizedClient(server);
  expect((await pubsub(auth, server, 'PUT', TOPIC, {})).status).toBe(200);
  const created = await pubsub(auth, server, 'PUT', SUBSCRIPTION, { topic: TOPIC, ...(options.ackDeadlineSeconds ? { ackDeadlineSeconds: options.ackDeadlineSeconds } : {}) });
  expect(created.status, JSON.stringify(created.data)).toBe(200);
  return { server, gmail: api, auth, clock };
}

async function pullNow({ server, auth }: World) {
  return pullNotifications(auth, server, SUBSCRIPTION, { maxMessages: 100, returnImmediately: true });
}

describe('Pub/Sub topics and subscriptions', () => {
  it('create (PUT), get, list and delete with Pub/Sub\'s shapes; errors as Google answers them', async () => {
    const server = await startFixtureServer({ mailboxes: [{ generate: { messages: 1 } }] });
    servers.push(server);
    const auth = await authorizedClient(server);
    const topic = await pubsub(auth, server, 'PUT', TOPIC, { labels: { team: 'mail' } });
    expect(topic).toEqual({ status: 200, data: { name: TOPIC, labels: { team: 'mail' } } });
    expectSchema(topic.data, 'Topic', 'pubsub');
    expect((await pubsub(auth, server, 'GET', TOPIC)).data).toEqual(topic.data);
    expect(await pubsub(auth, server, 'PUT', TOPIC, {})).toEqual({ status: 409, data: { error: { code: 409, message: 'Resource already exists in the project (resource=gmail).', status: 'ALREADY_EXISTS' } } });

    const subscription = await pubsub(auth, server, 'PUT', SUBSCRIPTION, { topic: TOPIC, ackDeadlineSeconds: 20 });
    expect(subscription.data).toMatchObject({ name: SUBSCRIPTION, topic: TOPIC, ackDeadlineSeconds: 20, pushConfig: {} });
    expectSchema(subscription.data, 'Subscription', 'pubsub');
    expect((await pubsub(auth, server, 'PUT', 'projects/mailmon-test/subscriptions/defaults', { topic: TOPIC })).data).toMatchObject({ ackDeadlineSeconds: 10 });
    const listed = await pubsub(auth, server, 'GET', 'projects/mailmon-test/subscriptions');
    expectSchema(listed.data, 'ListSubscriptionsResponse', 'pubsub');
    expect((listed.data as { subscriptions: unknown[] }).subscriptions).toHaveLength(2);
    expectSchema((await pubsub(auth, server, 'GET', 'projects/mailmon-test/topics')).data, 'ListTopicsResponse', 'pubsub');

    // Unknown topic / subscription: 404 NOT_FOUND in Pub/Sub's shape.
    expect(await pubsub(auth, server, 'GET', 'projects/mailmon-test/topics/nope')).toEqual({ status: 404, data: { error: { code: 404, message: 'Resource not found (resource=nope).', status: 'NOT_FOUND' } } });
    expect((await pubsub(auth, server, 'POST', 'projects/mailmon-test/subscriptions/nope:pull', { maxMessages: 1 })).status).toBe(404);
    expect((await pubsub(auth, server, 'PUT', 'projects/mailmon-test/subscriptions/orphan', { topic: 'projects/mailmon-test/topics/nope' })).status).toBe(404);
    // Bad names and arguments: 400 INVALID_ARGUMENT.
    expect(await pubsub(auth, server, 'PUT', 'projects/mailmon-test/topics/goog-x', {})).toMatchObject({ status: 400, data: { error: { status: 'INVALID_ARGUMENT', message: expect.stringContaining('Invalid resource name') } } });
    expect((await pubsub(auth, server, 'PUT', 'projects/mailmon-test/subscriptions/s2', {})).status).toBe(400);
    expect((await pubsub(auth, server, 'PUT', 'projects/mailmon-test/subscriptions/s3', { topic: TOPIC, ackDeadlineSeconds: 601 })).status).toBe(400);
    expect((await pubsub(auth, server, 'POST', `${SUBSCRIPTION}:pull`, {})).status).toBe(400);
    expect((await pubsub(auth, server, 'POST', `${SUBSCRIPTION}:acknowledge`, { ackIds: [] })).status).toBe(400);

    // Deleting the topic detaches its subscriptions, as Pub/Sub does; deleting a subscription removes it.
    expect(await pubsub(auth, server, 'DELETE', TOPIC)).toEqual({ status: 200, data: {} });
    expect((await pubsub(auth, server, 'GET', SUBSCRIPTION)).data).toMatchObject({ topic: '_deleted-topic_' });
    expect(await pubsub(auth, server, 'DELETE', SUBSCRIPTION)).toEqual({ status: 200, data: {} });
    expect((await pubsub(auth, server, 'GET', SUBSCRIPTION)).status).toBe(404);
  });

  it('needs a token the fixture issued with the pubsub or cloud-platform scope (401/403), or any token in any-token mode', async () => {
    const server = await startFixtureServer({ mailboxes: [{ generate: { messages: 1 } }] });
    servers.push(server);
    const anonymous = await fetch(`${server.url}v1/${TOPIC}`, { method: 'PUT', body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
    const forged = await fetch(`${server.url}v1/${TOPIC}`, { method: 'PUT', body: '{}', headers: { authorization: 'Bearer ya29.not-issued' } });
    expect(forged.status).toBe(401);
    const gmailOnly = await authorizedClient(server, ['https://www.googleapis.com/auth/gmail.readonly']);
    expect(await pubsub(gmailOnly, server, 'PUT', TOPIC, {})).toEqual({ status: 403, data: { error: { code: 403, message: 'Request had insufficient authentication scopes.', status: 'PERMISSION_DENIED' } } });
    const cloudPlatform = await authorizedClient(server, ['https://www.googleapis.com/auth/gmail.readonly', 'https://www.googleapis.com/auth/cloud-platform']);
    expect((await pubsub(cloudPlatform, server, 'PUT', TOPIC, {})).status).toBe(200);

    const lenient = await startFixtureServer({ pubsubAcceptAnyToken: true, mailboxes: [{ generate: { messages: 1 } }] });
    servers.push(lenient);
    const { auth } = await connectedGmail(lenient);
    expect((await pubsub(auth, lenient, 'PUT', TOPIC, {})).status).toBe(200);
  });

  it('publish delivers to every subscription the topic has at that moment', async () => {
    const w = await world();
    const data = Buffer.from('hello').toString('base64');
    const published = await pubsub(w.auth, w.server, 'POST', `${TOPIC}:publish`, { messages: [{ data, attributes: { kind: 'test' } }] });
    expectSchema(published.data, 'PublishResponse', 'pubsub');
    expect((await pubsub(w.auth, w.server, 'PUT', 'projects/mailmon-test/subscriptions/late', { topic: TOPIC })).status).toBe(200);
    const pulled = await pubsub<{ receivedMessages: Array<{ message: { data: string; attributes: Record<string, string>; messageId: string } }> }>(w.auth, w.server, 'POST', `${SUBSCRIPTION}:pull`, { maxMessages: 10 });
    expectSchema(pulled.data, 'PullResponse', 'pubsub');
    expect(pulled.data.receivedMessages.map((received) => received.message)).toEqual([expect.objectContaining({ data, attributes: { kind: 'test' }, messageId: (published.data as { messageIds: string[] }).messageIds[0] })]);
    // The subscription created after the publish has nothing.
    expect((await pullNotifications(w.auth, w.server, 'projects/mailmon-test/subscriptions/late', { maxMessages: 10, returnImmediately: true })).notifications).toEqual([]);
  });
});

describe('users.watch notifications', () => {
  it('watch answers {historyId, expiration in 7 days}; each change publishes {emailAddress, historyId}; pull then ack', async () => {
    const w = await world({ fakeClock: true });
    const watched = await w.gmail.users.watch({ userId: 'me', requestBody: { topicName: TOPIC } });
    expectSchema(watched.data, 'WatchResponse');
    const profile = (await w.gmail.users.getProfile({ userId: 'me' })).data;
    expect(watched.data).toEqual({ historyId: profile.historyId, expiration: String(w.clock.now + 7 * 24 * 3600 * 1000) });

    const sent = await w.server.control.send({ subject: 'Push me' });
    const read = await w.server.control.modify({ id: sent.id, removeLabelIds: ['UNREAD'] });
    await w.server.control.trash({ id: sent.id });
    const deleted = await w.server.control.delete({ id: sent.id });
    const { raw, notifications } = await pullNow(w);
    expectSchema(raw, 'PullResponse', 'pubsub');
    const head = Number((await w.gmail.users.getProfile({ userId: 'me' })).data.historyId);
    expect(notifications.map((notification) => [notification.emailAddress, notification.historyId])).toEqual([
      ['dev@mailmon.test', Number(sent.historyId)],
      ['dev@mailmon.test', Number(read.historyId)],
      ['dev@mailmon.test', expect.any(Number)],
      ['dev@mailmon.test', head],
    ]);
    expect(Number(deleted.historyId)).toBeLessThanOrEqual(head);
    for (const notification of notifications) {
      expect(notification.deliveryAttempt).toBe(1);
      expect(notification.publishTime).toBe(new Date(w.clock.now).toISOString());
      expect(notification.messageId).toMatch(/^\d{16,17}$/);
    }
    // Each historyId is a valid startHistoryId for history.list (the point of the notification).
    const history = await w.gmail.users.history.list({ userId: 'me', startHistoryId: String(notifications[0].historyId - 1) });
    expect(history.data.history?.length).toBeGreaterThanOrEqual(1);

    const acked = await pubsub(w.auth, w.server, 'POST', `${SUBSCRIPTION}:acknowledge`, { ackIds: notifications.map((notification) => notification.ackId) });
    expect(acked).toEqual({ status: 200, data: {} });
    w.clock.now += 3600_000;
    expect((await pullNow(w)).notifications).toEqual([]);
  });

  it('the label filter: include only changes touching the labels, exclude changes to messages with them', async () => {
    const w = await world();
    const target = await w.server.control.send({ subject: 'filter me' });
    await pullNow(w);
    await w.gmail.users.watch({ userId: 'me', requestBody: { topicName: TOPIC, labelIds: ['STARRED'], labelFilterBehavior: 'include' } });
    await w.server.control.modify({ id: target.id, removeLabelIds: ['UNREAD'] });
    expect((await pullNow(w)).notifications).toEqual([]);
    const starred = await w.server.control.modify({ id: target.id, addLabelIds: ['STARRED'] });
    const unstarred = await w.server.control.modify({ id: target.id, removeLabelIds: ['STARRED'] });
    expect((await pullNow(w)).notifications.map((notification) => notification.historyId)).toEqual([Number(starred.historyId), Number(unstarred.historyId)]);

    await w.gmail.users.watch({ userId: 'me', requestBody: { topicName: TOPIC, labelIds: ['SPAM'], labelFilterBehavior: 'exclude' } });
    const spammed = await w.server.control.modify({ id: target.id, addLabelIds: ['SPAM'], removeLabelIds: ['INBOX'] });
    const other = await w.server.control.send({ subject: 'not spam' });
    expect((await pullNow(w)).notifications.map((notification) => notification.historyId)).toEqual([Number(other.historyId)]);
    expect(Number(spammed.historyId)).toBeLessThan(Number(other.historyId));

    // Bad requests: Gmail's 400/404 shapes.
    expect((await failure(w.gmail.users.watch({ userId: 'me', requestBody: { topicName: 'gmail' } }))).status).toBe(400);
    expect((await failure(w.gmail.users.watch({ userId: 'me', requestBody: { topicName: 'projects/mailmon-test/topics/missing' } }))).status).toBe(404);
    expect((await failure(w.gmail.users.watch({ userId: 'me', requestBody: { topicName: TOPIC, labelIds: ['Label_404'] } }))).status).toBe(400);
    expect((await failure(w.gmail.users.watch({ userId: 'me', requestBody: { topicName: TOPIC, labelFilterBehavior: 'sometimes' } }))).status).toBe(400);
  });

  it('unacked notifications come back after the ack deadline (deliveryAttempt 2); modifyAckDeadline extends or nacks', async () => {
    const w = await world({ fakeClock: true, ackDeadlineSeconds: 10 });
    await w.gmail.users.watch({ userId: 'me', requestBody: { topicName: TOPIC } });
    const sent = await w.server.control.send({ subject: 'ack me later' });
    const [first] = (await pullNow(w)).notifications;
    expect(first).toMatchObject({ historyId: Number(sent.historyId), deliveryAttempt: 1 });
    w.clock.now += 9_000;
    expect((await pullNow(w)).notifications).toEqual([]);
    w.clock.now += 1_000;
    const [again] = (await pullNow(w)).notifications;
    expect(again).toMatchObject({ messageId: first.messageId, historyId: first.historyId, deliveryAttempt: 2 });
    expect(again.ackId).not.toBe(first.ackId);

    // An ack with the stale ackId of the first delivery does not remove the redelivered message.
    await pubsub(w.auth, w.server, 'POST', `${SUBSCRIPTION}:acknowledge`, { ackIds: [first.ackId] });
    // Extending the deadline holds it back; a deadline of 0 (a nack) makes it due at once.
    expect(await pubsub(w.auth, w.server, 'POST', `${SUBSCRIPTION}:modifyAckDeadline`, { ackIds: [again.ackId], ackDeadlineSeconds: 60 })).toEqual({ status: 200, data: {} });
    w.clock.now += 30_000;
    expect((await pullNow(w)).notifications).toEqual([]);
    await pubsub(w.auth, w.server, 'POST', `${SUBSCRIPTION}:modifyAckDeadline`, { ackIds: [again.ackId], ackDeadlineSeconds: 0 });
    const [third] = (await pullNow(w)).notifications;
    expect(third).toMatchObject({ messageId: first.messageId, deliveryAttempt: 3 });
    await pubsub(w.auth, w.server, 'POST', `${SUBSCRIPTION}:acknowledge`, { ackIds: [third.ackId] });
    w.clock.now += 600_000;
    expect((await pullNow(w)).notifications).toEqual([]);
    expect((await pubsub(w.auth, w.server, 'POST', `${SUBSCRIPTION}:modifyAckDeadline`, { ackIds: [third.ackId], ackDeadlineSeconds: 601 })).status).toBe(400);
  });

  it('accepts ack deadlines below Pub/Sub\'s 10 s, so a real-time redelivery takes about a second', async () => {
    const w = await world({ ackDeadlineSeconds: 1 });
    await w.gmail.users.watch({ userId: 'me', requestBody: { topicName: TOPIC } });
    await w.server.control.send({});
    const [first] = (await pullNow(w)).notifications;
    const started = Date.now();
    // A long-polling pull waits until the deadline passes and the message is due again.
    const [again] = (await pullNotifications(w.auth, w.server, SUBSCRIPTION, { maxMessages: 10 })).notifications;
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(again).toMatchObject({ messageId: first.messageId, deliveryAttempt: 2 });
  });

  it('a pull long-polls: it is answered as soon as a change publishes, or empty after the wait', async () => {
    const w = await world();
    await w.gmail.users.watch({ userId: 'me', requestBody: { topicName: TOPIC } });
    const waiting = pullNotifications(w.auth, w.server, SUBSCRIPTION, { maxMessages: 10 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const started = Date.now();
    const sent = await w.server.control.send({});
    const { notifications } = await waiting;
    expect(notifications.map((notification) => notification.historyId)).toEqual([Number(sent.historyId)]);
    expect(Date.now() - started).toBeLessThan(3000); // not the 5 s wait

    await w.server.control.setPushFaults({ pullWaitMs: 300 });
    const emptyStarted = Date.now();
    const empty = await pullNotifications(w.auth, w.server, SUBSCRIPTION, { maxMessages: 10 });
    expect(empty.raw).toEqual({});
    expect(Date.now() - emptyStarted).toBeGreaterThanOrEqual(250);
    // The request log shows the watch and the pulls.
    const log = await w.server.control.requests();
    expect(log.some((entry) => entry.method === 'POST' && entry.path.endsWith('/watch') && entry.status === 200)).toBe(true);
    expect(log.filter((entry) => entry.path === `/v1/${SUBSCRIPTION}:pull`).length).toBeGreaterThanOrEqual(2);
  });

  it('push faults drop, duplicate, delay and batch notifications; watch-status counts them', async () => {
    const w = await world();
    await w.gmail.users.watch({ userId: 'me', requestBody: { topicName: TOPIC } });
    await w.server.control.setPushFaults({ dropRate: 1 });
    await w.server.control.send({});
    expect((await pullNow(w)).notifications).toEqual([]);
    expect((await w.server.control.watchStatus()).mailboxes[0].watch).toMatchObject({ dropped: 1, published: 0 });

    await w.server.control.setPushFaults({ dropRate: 0, duplicateRate: 1 });
    const twice = await w.server.control.send({});
    const duplicated = (await pullNow(w)).notifications;
    expect(duplicated.map((notification) => notification.historyId)).toEqual([Number(twice.historyId), Number(twice.historyId)]);
    expect(new Set(duplicated.map((notification) => notification.messageId)).size).toBe(2);

    await w.server.control.setPushFaults({ duplicateRate: 0, delayMs: 1000 });
    const late = await w.server.control.send({});
    expect((await pullNow(w)).notifications).toEqual([]);
    expect((await w.server.control.watchStatus()).mailboxes[0].watch).toMatchObject({ pending: 1 });
    const delivered = (await pullNotifications(w.auth, w.server, SUBSCRIPTION, { maxMessages: 10 })).notifications;
    expect(delivered.map((notification) => notification.historyId)).toEqual([Number(late.historyId)]);

    await w.server.control.clearPushFaults();
    await w.server.control.setPushFaults({ batchMs: 200 });
    await w.server.control.send({});
    await w.server.control.send({});
    const last = await w.server.control.send({});
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await pullNow(w)).notifications.map((notification) => notification.historyId)).toEqual([Number(last.historyId)]);

    const status = await w.server.control.watchStatus();
    expect(status.mailboxes[0]).toMatchObject({ emailAddress: 'dev@mailmon.test', watch: { topicName: TOPIC, labelIds: [], labelFilterBehavior: 'include', expired: false, dropped: 1, duplicated: 1, pending: 0, published: 4, lastNotifiedHistoryId: last.historyId } });
    expect(status.topics).toEqual([{ name: TOPIC, subscriptions: [expect.objectContaining({ name: SUBSCRIPTION, ready: 0, outstanding: 4, delivered: 4, acked: 0 })] }]);
    await expect(w.server.control.setPushFaults({ dropRate: 2 })).rejects.toMatchObject({ code: 'fixture_error' });
  });

  it('an expired watch publishes nothing until renewed; users.stop stops it', async () => {
    const w = await world({ fakeClock: true });
    await w.gmail.users.watch({ userId: 'me', requestBody: { topicName: TOPIC } });
    w.clock.now += 7 * 24 * 3600 * 1000;
    await w.server.control.send({});
    expect((await pullNow(w)).notifications).toEqual([]);
    expect((await w.server.control.watchStatus()).mailboxes[0].watch).toMatchObject({ expired: true });

    await w.gmail.users.watch({ userId: 'me', requestBody: { topicName: TOPIC } });
    const renewed = await w.server.control.send({});
    expect((await pullNow(w)).notifications.map((notification) => notification.historyId)).toEqual([Number(renewed.historyId)]);
    expect(await w.server.control.expireWatch({})).toMatchObject({ watch: { expired: true } });
    await w.server.control.send({});
    expect((await pullNow(w)).notifications).toEqual([]);

    await w.gmail.users.watch({ userId: 'me', requestBody: { topicName: TOPIC } });
    const stopped = await w.gmail.users.stop({ userId: 'me' });
    expect(stopped.status).toBe(204);
    await w.server.control.send({});
    expect((await pullNow(w)).notifications).toEqual([]);
    expect((await w.server.control.watchStatus()).mailboxes[0].watch).toBeUndefined();
    await expect(w.server.control.expireWatch({})).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a mailbox added later, and the second mailbox, notify with their own address', async () => {
    const w = await world({ mailboxes: [{ generate: { messages: 3 } }, { emailAddress: 'ops@mailmon.test', generate: { messages: 3 } }] });
    const ops = await connectedGmail(w.server, 'ops@mailmon.test');
    await ops.api.users.watch({ userId: 'me', requestBody: { topicName: TOPIC } });
    await w.server.control.addMailbox({ emailAddress: 'new@mailmon.test' });
    const fresh = await connectedGmail(w.server, 'new@mailmon.test');
    await fresh.api.users.watch({ userId: 'me', requestBody: { topicName: TOPIC } });
    await w.server.control.send({});
    const toOps = await w.server.control.send({ mailbox: 'ops@mailmon.test' });
    const toNew = await w.server.control.send({ mailbox: 'new@mailmon.test' });
    expect((await pullNow(w)).notifications.map((notification) => [notification.emailAddress, notification.historyId])).toEqual([
      ['ops@mailmon.test', Number(toOps.historyId)],
      ['new@mailmon.test', Number(toNew.historyId)],
    ]);
  });
});
