import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/core/signatures.js';
import { DeliveryRepository } from '../../src/adapters/sqlite/delivery-repository.js';
import { EndpointRepository } from '../../src/adapters/sqlite/endpoint-repository.js';
import { enableEndpoint } from '../../src/app/change-endpoint.js';
import { endpointsSummary } from '../../src/app/endpoint-queries.js';
import { rotateEndpointSecret } from '../../src/app/endpoint-secret.js';
import { applyRetention, createRetentionService } from '../../src/app/retention.js';
import { retryDeliveries } from '../../src/app/delivery-queries.js';
import { newId } from '../../src/adapters/system/ids.js';
import { sqliteRetention } from '../../src/adapters/sqlite/sqlite-retention.js';
import { testEndpoint } from '../../src/app/test-endpoint.js';
import { claimTimeoutFor } from '../../src/daemon/delivery-service.js';
import { endpointTarget } from '../../src/app/endpoint-target.js';
import { startServer, type ReceivedRequest, type TestServer } from '../support/http-server.js';
import { startEndpointHarness, type EndpointHarness } from '../support/endpoint-harness.js';

const HOUR = 60 * 60 * 1000;

describe('registered endpoint delivery', () => {
  let harness: EndpointHarness;
  const servers: TestServer[] = [];
  const serve = async (...args: Parameters<typeof startServer>) => {
    const server = await startServer(...args);
    servers.push(server);
    return server;
  };

  beforeEach(async () => {
    harness = await startEndpointHarness();
  });
  afterEach(async () => {
    await harness.close();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  /** Every request must carry a valid mailmon signature at the (fake) time it was sent. */
  const assertSigned = (request: ReceivedRequest, secrets: string[]) => {
    const header = request.headers['x-mailmon-signature'] as string;
    const t = Number(/t=(\d+)/.exec(header)![1]);
    expect(secrets.some((secret) => { try { return verifySignature({ payload: request.body, header, secret, now: t }); } catch { return false; } })).toBe(true);
  };

  it('an endpoint down for hours then back: every event delivered, per-thread order kept, nothing lost', async () => {
    const start = harness.clock.now();
    // Down 2 h: each thread head fails 4 times (0, 1m, 6m, 36m) and gets through at 2h36m: the
    // endpoint fails for 36 minutes — warning, not disabled (see the health tests below).
    const accepted: string[] = [];
    const server = await serve((request, response) => {
      const up = harness.clock.now() >= start + 2 * HOUR;
      if (up) accepted.push(request.headers['x-mailmon-event-id'] as string);
      response.writeHead(up ? 200 : 503).end();
    });
    const endpoint = await harness.addEndpoint(server.url);
    const threads = ['a', 'b'];
    const events = harness.append(Array.from({ length: 40 }, (_, index) => ({ thread: threads[index % 2] })));
    harness.startService();

    const jumps = await harness.runUntil(() => harness.succeededEventIds(endpoint.id).size === events.length);

    expect(jumps).toBeGreaterThan(3);
    expect(harness.clock.now() - start).toBeGreaterThan(2 * HOUR);
    expect(new EndpointRepository(harness.store.sqlite).get(endpoint.id)).toMatchObject({ health: 'active', consecutiveFailures: 0 });
    const delivered = server.requests.filter((request) => request.headers['x-mailmon-event-id']);
    for (const request of server.requests) assertSigned(request, [endpoint.secret]);
    // Per thread, the events the receiver accepted arrived in sequence order.
    const threadOf = new Map(events.map((event) => [event.id, event.thread]));
    const sequenceOf = new Map(events.map((event) => [event.id, event.sequence]));
    for (const thread of threads) {
      const sequences = accepted.filter((id) => threadOf.get(id) === thread).map((id) => sequenceOf.get(id)!);
      expect(sequences).toEqual(events.filter((event) => event.thread === thread).map((event) => event.sequence));
    }
    expect(new Set(delivered.map((request) => request.headers['x-mailmon-event-id']))).toEqual(new Set(events.map((event) => event.id)));
    expect(new DeliveryRepository(harness.store.sqlite).pendingCount(endpoint.id)).toBe(0);
    // Attempt rows: one per attempt, numbered, each later one scheduled per the retry schedule.
    const attempts = new DeliveryRepository(harness.store.sqlite).attemptsOf(endpoint.id, events[0].sequence);
    expect(attempts.map((row) => row.attempt)).toEqual(attempts.map((_, index) => index + 1));
    expect(attempts.at(-1)!.status).toBe('succeeded');
    expect(attempts.slice(0, -1).every((row) => row.status === 'failed' && row.responseStatus === 503)).toBe(true);
  });

  const failedWithin = (endpointId: string, from: number, to: number) =>
    (harness.store.sqlite.prepare(`select count(*) as n from deliveries where endpoint_id = ? and status = 'failed' and finished_at >= ? and finished_at < ?`).get(endpointId, from, to) as { n: number }).n;

  for (const outage of [{ name: '1 s', ms: 1000, events: 120, threads: 30 }, { name: '10 min', ms: 10 * 60 * 1000, events: 80, threads: 16 }]) {
    it(`a ${outage.name} outage with 8 attempts in flight recovers by itself: 100% delivered, never disabled`, async () => {
      const start = harness.clock.now();
      const server = await serve((_request, response) => response.writeHead(harness.clock.now() < start + outage.ms ? 503 : 200).end());
      const endpoint = await harness.addEndpoint(server.url);
      const events = harness.append(Array.from({ length: outage.events }, (_, index) => ({ thread: `t${index % outage.threads}` })));
      harness.startService({ perEndpoint: 8 });
      await harness.runUntil(() => harness.succeededEventIds(endpoint.id).size === events.length);
      // The outage produced far more failures than any per-attempt count would tolerate…
      expect(failedWithin(endpoint.id, start, start + outage.ms)).toBeGreaterThanOrEqual(outage.threads);
      // …but it lasted less than the warning threshold: health never changed, nothing waits.
      const endpoints = new EndpointRepository(harness.store.sqlite);
      expect(endpoints.get(endpoint.id)).toMatchObject({ health: 'active', enabled: true, consecutiveFailures: 0, failingSince: null });
      expect(endpoints.healthChanges(endpoint.id)).toEqual([]);
      expect(harness.succeededEventIds(endpoint.id)).toEqual(new Set(events.map((event) => event.id)));
      expect(new DeliveryRepository(harness.store.sqlite).pendingCount(endpoint.id)).toBe(0);
    });
  }

  it('health goes warning after failing for 15 minutes (not after 5 failures) and back to active on a success, each change recorded with its reason', async () => {
    const start = harness.clock.now();
    let failing = true;
    const server = await serve((_request, response) => response.writeHead(failing ? 500 : 200).end());
    const endpoint = await harness.addEndpoint(server.url);
    harness.append(['a', 'b', 'c', 'd', 'e', 'f'].map((thread) => ({ thread })));
    harness.startService();
    const endpoints = new EndpointRepository(harness.store.sqlite);
    // Attempts at 0, 1m and 6m: 18 failures in 6 minutes, still active.
    await harness.runUntil(() => server.requests.length >= 18);
    expect(harness.clock.now() - start).toBeLessThan(15 * 60 * 1000);
    expect(endpoints.get(endpoint.id)).toMatchObject({ health: 'active', consecutiveFailures: 18, failingSince: start, enabled: true });
    // The 36m attempts: failing for more than 15 minutes.
    await harness.runUntil(() => server.requests.length >= 24);
    expect(endpoints.get(endpoint.id)).toMatchObject({ health: 'warning', consecutiveFailures: 24, failingSince: start, enabled: true });
    failing = false;
    await harness.runUntil(() => harness.succeededEventIds(endpoint.id).size === 6);
    expect(endpoints.get(endpoint.id)).toMatchObject({ health: 'active', consecutiveFailures: 0, failingSince: null });
    const changes = endpoints.healthChanges(endpoint.id);
    expect(changes.map((change) => [change.fromHealth, change.toHealth])).toEqual([['active', 'warning'], ['warning', 'active']]);
    expect(changes[0].reason).toMatch(/^failing for 36m, 19 failed deliveries in a row \(last: HTTP 500\)/);
    expect(changes[0].at - start).toBeGreaterThanOrEqual(15 * 60 * 1000);
    expect(changes[1].reason).toBe('a delivery succeeded');
  });

  it('disables after failing for 24 hours, gives up on nothing, keeps the backlog, and delivers it when enabled', async () => {
    const start = harness.clock.now();
    let failing = true;
    const server = await serve((_request, response) => response.writeHead(failing ? 500 : 204).end());
    const endpoint = await harness.addEndpoint(server.url);
    const events = harness.append(Array.from({ length: 12 }, (_, index) => ({ thread: `t${index}` })));
    harness.startService();
    const endpoints = new EndpointRepository(harness.store.sqlite);
    await harness.runUntil(() => endpoints.get(endpoint.id)!.health === 'disabled');
    expect(endpoints.get(endpoint.id)).toMatchObject({ enabled: false, health: 'disabled', failingSince: start });
    const changes = endpoints.healthChanges(endpoint.id);
    expect(changes.map((change) => change.toHealth)).toEqual(['warning', 'disabled']);
    expect(changes[1].reason).toMatch(/^failing for 1d 10h, \d+ failed deliveries in a row/);
    expect(changes[1].at - start).toBeGreaterThanOrEqual(24 * HOUR);
    expect(changes[0].at - start).toBeLessThan(24 * HOUR);
    expect(endpoints.get(endpoint.id)!.consecutiveFailures).toBeGreaterThanOrEqual(5);
    // The disabling attempts were the events' last scheduled ones: kept pending, not given up.
    expect(harness.store.sqlite.prepare(`select count(*) as n from deliveries where endpoint_id = ? and status = 'abandoned'`).get(endpoint.id)).toEqual({ n: 0 });
    // Disabled: time passes, nothing is sent, nothing is dropped.
    const sent = server.requests.length;
    harness.clock.advance(48 * HOUR);
    harness.append([{ thread: 'late' }]);
    await harness.runUntil(() => true);
    expect(server.requests.length).toBe(sent);
    expect((await endpointsSummary(harness.storage))[0]).toMatchObject({ id: endpoint.id, enabled: false, pending: 13 });

    failing = false;
    await enableEndpoint(harness.storage, endpoint.id, harness.clock.now());
    await harness.runUntil(() => harness.succeededEventIds(endpoint.id).size === 13);
    expect(endpoints.get(endpoint.id)).toMatchObject({ enabled: true, health: 'active', consecutiveFailures: 0, failingSince: null });
    expect(endpoints.healthChanges(endpoint.id).at(-1)).toMatchObject({ fromHealth: 'disabled', toHealth: 'active', reason: 'enabled by command' });
    expect(events.every((event) => harness.succeededEventIds(endpoint.id).has(event.id))).toBe(true);
  });

  it('410 Gone disables the endpoint at once and keeps the event pending', async () => {
    const server = await serve((_request, response) => response.writeHead(410).end('gone'));
    const endpoint = await harness.addEndpoint(server.url);
    harness.append([{ thread: 'a' }, { thread: 'b' }]);
    harness.startService({ perEndpoint: 1 });
    const endpoints = new EndpointRepository(harness.store.sqlite);
    await harness.runUntil(() => endpoints.get(endpoint.id)!.enabled === false, { maxSteps: 1 });
    expect(server.requests).toHaveLength(1);
    expect(endpoints.get(endpoint.id)).toMatchObject({ health: 'disabled', disabledReason: 'the endpoint answered 410 Gone' });
    expect(endpoints.healthChanges(endpoint.id)).toMatchObject([{ fromHealth: 'active', toHealth: 'disabled', reason: 'the endpoint answered 410 Gone' }]);
    expect(new DeliveryRepository(harness.store.sqlite).pendingCount(endpoint.id)).toBe(2);
  });

  it('honours Retry-After and waits at least 60 s after a 429', async () => {
    let calls = 0;
    const server = await serve((_request, response) => {
      calls += 1;
      if (calls === 1) response.writeHead(429).end();
      else if (calls === 2) response.writeHead(503, { 'retry-after': '600' }).end();
      else response.writeHead(200).end();
    });
    const endpoint = await harness.addEndpoint(server.url);
    const [event] = harness.append([{ thread: 'a' }]);
    harness.startService();
    await harness.runUntil(() => harness.succeededEventIds(endpoint.id).size === 1);
    const attempts = new DeliveryRepository(harness.store.sqlite).attemptsOf(endpoint.id, event.sequence);
    expect(attempts.map((row) => row.responseStatus)).toEqual([429, 503, 200]);
    // Schedule says 1m (then 5m); 429 → at least 60 s; Retry-After 600 s → 10 min, not 5.
    expect(attempts[1].scheduledAt - attempts[0].finishedAt!).toBe(60_000);
    expect(attempts[2].scheduledAt - attempts[1].finishedAt!).toBe(600_000);
  });

  it('redirects are failures, never followed', async () => {
    const target = await serve((_request, response) => response.writeHead(200).end());
    const server = await serve((_request, response) => response.writeHead(302, { location: target.url }).end());
    const endpoint = await harness.addEndpoint(server.url);
    harness.append([{ thread: 'a' }]);
    harness.startService();
    await harness.runUntil(() => server.requests.length === 2);
    expect(target.requests).toHaveLength(0);
    const rows = new DeliveryRepository(harness.store.sqlite).list({ endpointId: endpoint.id, status: 'failed', limit: 10 });
    expect(rows[0]).toMatchObject({ errorClass: 'redirect', responseStatus: 302 });
  });

  it('gives up after the last scheduled attempt (while the endpoint works); deliveries retry schedules it again', async () => {
    let failing = true;
    let poisoned = '';
    // The app rejects one event and accepts the rest: the endpoint is healthy, the event is not.
    const server = await serve((request, response) => response.writeHead(failing && request.headers['x-mailmon-event-id'] === poisoned ? 500 : 200).end());
    const endpoint = await harness.addEndpoint(server.url);
    const [event] = harness.append([{ thread: 'a' }]);
    poisoned = event.id;
    harness.startService();
    const repo = new DeliveryRepository(harness.store.sqlite);
    // Other traffic succeeds before the last attempt (34 h in), so the endpoint is never disabled.
    await harness.runUntil(() => repo.attemptsOf(endpoint.id, event.sequence).length === 7);
    const [other] = harness.append([{ thread: 'b' }]);
    await harness.runUntil(() => harness.succeededEventIds(endpoint.id).has(other.id));
    await harness.runUntil(() => repo.attemptsOf(endpoint.id, event.sequence).some((row) => row.status === 'abandoned'));
    expect(new EndpointRepository(harness.store.sqlite).get(endpoint.id)).toMatchObject({ enabled: true });
    expect(repo.attemptsOf(endpoint.id, event.sequence).map((row) => row.status)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed', 'failed', 'abandoned']);
    failing = false;
    const { scheduled } = await retryDeliveries(harness.storage, { endpointId: endpoint.id }, harness.clock.now(), () => newId('dlv'));
    expect(scheduled).toHaveLength(1);
    await harness.runUntil(() => harness.succeededEventIds(endpoint.id).has(event.id));
    expect(repo.attemptsOf(endpoint.id, event.sequence).at(-1)).toMatchObject({ attempt: 8, status: 'succeeded' });
  });

  it('five endpoints, one hanging forever: the other four get everything, signed under both schemes', async () => {
    const hanging = await serve(() => undefined);
    const healthy = await Promise.all([1, 2, 3, 4].map(() => serve((_request, response) => response.writeHead(200).end())));
    const hung = await harness.addEndpoint(hanging.url, { scheme: 'both' });
    const schemes = ['mailmon', 'standard', 'both', 'both'] as const;
    const endpoints = await Promise.all(healthy.map((server, index) => harness.addEndpoint(server.url, { scheme: schemes[index] })));
    const events = harness.append(Array.from({ length: 30 }, (_, index) => ({ thread: `t${index % 10}` })));
    const service = harness.startService({ timeoutMs: 60_000, perEndpoint: 4, global: 8 });
    const started = Date.now();
    while (!endpoints.every((endpoint) => harness.succeededEventIds(endpoint.id).size === events.length)) {
      if (Date.now() - started > 15_000) throw new Error('the healthy endpoints were delayed');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(hanging.requests.length).toBeLessThanOrEqual(4);
    expect(harness.succeededEventIds(hung.id).size).toBe(0);
    // A graceful stop puts the hanging attempts back to pending, uncounted.
    await service.stop();
    const statuses = harness.store.sqlite.prepare(`select status, count(*) as n from deliveries where endpoint_id = ? group by status`).all(hung.id);
    expect(statuses).toEqual([{ status: 'pending', n: events.length }]);
    expect(new EndpointRepository(harness.store.sqlite).get(hung.id)).toMatchObject({ consecutiveFailures: 0 });
    for (const [index, server] of healthy.entries()) {
      const secret = endpoints[index].secret;
      expect(new Set(server.requests.map((request) => request.headers['x-mailmon-event-id']))).toEqual(new Set(events.map((event) => event.id)));
      for (const request of server.requests) {
        if (schemes[index] !== 'standard') assertSigned(request, [secret]);
        else expect(request.headers['x-mailmon-signature']).toBeUndefined();
        if (schemes[index] !== 'mailmon') {
          // The fake clock starts at the real time and has not moved: within the package's tolerance.
          expect(new Webhook(secret).verify(request.body, request.headers as Record<string, string>)).toMatchObject({ object: 'event' });
        } else {
          expect(request.headers['webhook-signature']).toBeUndefined();
        }
      }
    }
  });

  it('after a rotation both secrets sign for 24 h, then only the new one', async () => {
    const server = await serve((_request, response) => response.writeHead(200).end());
    const endpoint = await harness.addEndpoint(server.url, { scheme: 'mailmon' });
    const rotated = await rotateEndpointSecret({ storage: harness.storage, vault: harness.vault, generateSecret: harness.deps.generateSecret, now: harness.clock.now }, endpoint.id);
    harness.append([{ thread: 'a' }]);
    harness.startService();
    await harness.runUntil(() => server.requests.length === 1);
    assertSigned(server.requests[0], [endpoint.secret]);
    assertSigned(server.requests[0], [rotated.secret]);
    expect((server.requests[0].headers['x-mailmon-signature'] as string).match(/v1=/g)).toHaveLength(2);
    harness.clock.advance(25 * HOUR);
    harness.append([{ thread: 'a' }]);
    await harness.runUntil(() => server.requests.length === 2);
    expect((server.requests[1].headers['x-mailmon-signature'] as string).match(/v1=/g)).toHaveLength(1);
    assertSigned(server.requests[1], [rotated.secret]);
  });

  it('test pings are logged but never count toward health; endpointTarget gives replay what it needs', async () => {
    const server = await serve((_request, response) => response.writeHead(500).end('nope'));
    const endpoint = await harness.addEndpoint(server.url, { scheme: 'standard', headers: { 'x-env': 'ci' } });
    for (let i = 0; i < 6; i += 1) {
      const result = await testEndpoint({ ...harness.deps, timeoutMs: 5000 }, endpoint.id);
      expect(result).toMatchObject({ ok: false, status: 500, responseBody: 'nope' });
    }
    expect(new EndpointRepository(harness.store.sqlite).get(endpoint.id)).toMatchObject({ health: 'active', consecutiveFailures: 0 });
    expect(new DeliveryRepository(harness.store.sqlite).list({ endpointId: endpoint.id, status: 'failed', limit: 10 })).toHaveLength(6);
    expect(await endpointTarget(harness.storage.endpoints, harness.vault, endpoint.id, harness.clock.now())).toEqual({ id: endpoint.id, url: `${server.url}/`, headers: { 'x-env': 'ci' }, secrets: [endpoint.secret], scheme: 'standard' });
  });

  it("another holder's claim is left alone while fresh, and released and retried once older than the claim timeout", async () => {
    const server = await serve((_request, response) => response.writeHead(200).end());
    const endpoint = await harness.addEndpoint(server.url);
    const events = harness.append([{ thread: 'a' }, { thread: 'b' }]);
    const { deliveries } = harness.storage;
    const claimTimeout = claimTimeoutFor(5000);
    await deliveries.fanOut(harness.clock.now() - claimTimeout - 1, () => newId('dlv'));
    // Claimed by workers elsewhere that never finish: one long ago, one just now.
    const [stale] = await deliveries.claimDue({ endpointId: endpoint.id, holder: 'host-a:101:dead', now: harness.clock.now() - claimTimeout - 1, limit: 1 });
    const [fresh] = await deliveries.claimDue({ endpointId: endpoint.id, holder: 'host-b:202:busy', now: harness.clock.now(), limit: 1 });
    expect(new Set([stale.eventId, fresh.eventId])).toEqual(new Set(events.map((event) => event.id)));
    harness.startService();

    await harness.runUntil(() => harness.succeededEventIds(endpoint.id).has(stale.eventId));
    expect(server.requests.map((request) => request.headers['x-mailmon-event-id'])).toEqual([stale.eventId]);
    expect(await deliveries.get(stale.id)).toMatchObject({ status: 'failed', errorClass: 'interrupted' });
    expect(await deliveries.get(fresh.id)).toMatchObject({ status: 'in_flight' });

    harness.clock.advance(claimTimeout + 1);
    await harness.runUntil(() => harness.succeededEventIds(endpoint.id).has(fresh.eventId));
    expect(await deliveries.get(fresh.id)).toMatchObject({ status: 'failed', errorClass: 'interrupted' });
    expect(server.requests).toHaveLength(2);
  });

  it('subscriptions filter by event type and mailbox', async () => {
    const server = await serve((_request, response) => response.writeHead(200).end());
    harness.store.sqlite.prepare(`insert into mailboxes (id, email_address, status, created_at, updated_at) values ('mbx_one', 'one@example.com', 'active', 0, 0)`).run();
    const endpoint = await harness.addEndpoint(server.url, { events: ['message.updated'], mailboxes: ['one@example.com'] });
    harness.append([{ thread: 'a', type: 'message.created' }, { thread: 'a', type: 'message.updated' }], 'mbx_one');
    harness.append([{ thread: 'b', type: 'message.updated' }], 'mbx_two');
    harness.startService();
    await harness.runUntil(() => true);
    expect(server.requests.map((request) => request.headers['x-mailmon-event-type'])).toEqual(['message.updated']);
    expect(harness.succeededEventIds(endpoint.id).size).toBe(1);
  });

  it('retention deletes old delivered attempts and events, never anything pending or the newest event', async () => {
    // One delivered event, two pending (endpoint disabled), all 40 days old by the time retention runs.
    const server2 = await serve((_request, response) => response.writeHead(200).end());
    const second = await harness.addEndpoint(server2.url);
    harness.append([{ thread: 'a' }]);
    harness.startService();
    await harness.runUntil(() => harness.succeededEventIds(second.id).size === 1);
    harness.store.sqlite.prepare(`update webhook_endpoints set enabled = 0`).run();
    harness.append([{ thread: 'b' }, { thread: 'c' }]);
    await harness.runUntil(() => true);
    const sqlite = harness.store.sqlite;
    const count = (table: string) => (sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    expect(count('events')).toBe(3);
    const result = await applyRetention({ retention: sqliteRetention(sqlite) }, { now: harness.clock.now() + 40 * 24 * HOUR, retentionMs: 30 * 24 * HOUR });
    expect(result).toMatchObject({ attemptsDeleted: 1, eventsDeleted: 1 });
    expect(count('events')).toBe(2);
    expect(count('deliveries')).toBe(2);
    expect(sqlite.prepare(`select count(*) as n from deliveries where status = 'pending'`).get()).toEqual({ n: 2 });
  });

  it('the retention service applies retention at start and then every interval, until stopped', async () => {
    const applied: number[] = [];
    const service = createRetentionService({ retention: sqliteRetention(harness.store.sqlite), retentionMs: 30 * 24 * HOUR, intervalMs: HOUR, clock: harness.clock, onApplied: (result) => applied.push(result.cutoff) });
    const controller = new AbortController();
    const running = service.run(controller.signal);
    const waitFor = async (count: number) => {
      for (let i = 0; i < 200 && applied.length < count; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    await waitFor(1);
    expect(applied).toHaveLength(1);
    harness.clock.advance(HOUR - 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(applied).toHaveLength(1);
    harness.clock.advance(1);
    await waitFor(2);
    expect(applied).toHaveLength(2);
    expect(applied[1] - applied[0]).toBe(HOUR);
    await service.stop();
    await running;
    expect(service.id).toBe('retention');
  });
});
