/**
 * In-process harness for registered-endpoint delivery: a temp MAILMON_HOME with a real SQLite
 * store and credential vault, events appended through the real EventLog, endpoints added through
 * the real use case, and the delivery service on its own connection (as the daemon would be)
 * driven by a fake clock.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CliContext } from '../../src/cli/context.js';
import { openCredentialVault, type CredentialVault } from '../../src/adapters/secrets/credential-vault.js';
import { openDatabase, type SqliteStore } from '../../src/adapters/sqlite/database.js';
import { EventLog } from '../../src/adapters/sqlite/event-log.js';
import { sqliteChangeNotifier } from '../../src/adapters/sqlite/sqlite-change-notifier.js';
import { WebhookSender } from '../../src/adapters/http/webhook-sender.js';
import { generateWebhookSecret } from '../../src/adapters/http/webhook-secret.js';
import { newId } from '../../src/adapters/system/ids.js';
import { DeliveryRepository } from '../../src/adapters/sqlite/delivery-repository.js';
import { sqliteStorage } from '../../src/adapters/sqlite/sqlite-storage.js';
import type { Storage } from '../../src/app/ports/storage.js';
import { addEndpoint, type AddEndpointInput, type EndpointDeps } from '../../src/app/add-endpoint.js';
import { createDeliveryService, type DeliveryService, type DeliveryServiceDeps } from '../../src/daemon/delivery-service.js';
import { parseSchedule } from '../../src/core/durations.js';
import { FakeClock } from './fake-clock.js';
import { tempHome } from './cli.js';

export const DEFAULT_SCHEDULE = parseSchedule('0s,1m,5m,30m,2h,8h,24h');

export interface EndpointHarness {
  home: string;
  store: SqliteStore;
  /** The ports over `store` (the CLI's connection). */
  storage: Storage;
  vault: CredentialVault;
  clock: FakeClock;
  deps: EndpointDeps;
  append(events: Array<{ thread: string; type?: 'message.created' | 'message.updated' }>, mailboxId?: string): Array<{ id: string; sequence: number; thread: string }>;
  addEndpoint(url: string, input?: Partial<AddEndpointInput>): Promise<{ id: string; secret: string }>;
  startService(overrides?: Partial<DeliveryServiceDeps>): DeliveryService;
  /** No attempt in flight and nothing due now. */
  quiet(): boolean;
  /** Lets due work finish (real time), then jumps the clock to the next scheduled attempt, until `done()`. */
  runUntil(done: () => boolean, options?: { maxSteps?: number; realTimeoutMs?: number }): Promise<number>;
  succeededEventIds(endpointId: string): Set<string>;
  close(): Promise<void>;
}

export async function startEndpointHarness(): Promise<EndpointHarness> {
  const home = tempHome('mailmon-endpoints-');
  const env: NodeJS.ProcessEnv = { MAILMON_HOME: home, MAILMON_SECRET_STORE: 'file' };
  const ctx = new CliContext(env);
  const store = await ctx.store();
  const vault = await openCredentialVault({ store, home: ctx.home, env, config: ctx.config });
  const serviceStore = openDatabase(ctx.home.store);
  const clock = new FakeClock(Date.now());
  const sender = new WebhookSender();
  const services: DeliveryService[] = [];
  const controller = new AbortController();
  const log = new EventLog(store.sqlite);
  const repo = new DeliveryRepository(serviceStore.sqlite);
  const storage = sqliteStorage(store);
  const deps: EndpointDeps = {
    storage, vault, send: (request) => sender.send(request), now: clock.now, ids: newId,
    generateSecret: generateWebhookSecret, challenge: () => newId('evt'), userAgent: 'mailmon/test',
  };
  let service: DeliveryService | undefined;

  const harness: EndpointHarness = {
    home, store, storage, vault, clock, deps,
    append(events, mailboxId = 'mbx_test') {
      return store.sqlite.transaction(() =>
        log.append(events.map((event) => ({ id: newId('evt'), type: event.type ?? 'message.created', orderingKey: `${mailboxId}:thread:${event.thread}`, data: { thread: event.thread } })), { id: mailboxId, emailAddress: 'user@example.com' }, clock.now())
          .map((stored, index) => ({ id: stored.id, sequence: stored.sequence, thread: events[index].thread })),
      ).immediate();
    },
    async addEndpoint(url, input = {}) {
      const added = await addEndpoint(deps, { url, events: [], mailboxes: [], scheme: 'both', headers: {}, description: null, skipVerification: true, ...input });
      return { id: added.id, secret: added.secret };
    },
    startService(overrides = {}) {
      service = createDeliveryService({
        storage: sqliteStorage(serviceStore), holder: `harness:${newId('dlv')}`, vault, send: (request) => sender.send(request), clock, changes: sqliteChangeNotifier(serviceStore.sqlite),
        random: () => 0.5, newDeliveryId: () => newId('dlv'), scheduleMs: DEFAULT_SCHEDULE, timeoutMs: 5000, userAgent: 'mailmon/test', idleMs: 50, ...overrides,
      });
      services.push(service);
      void service.run(controller.signal);
      return service;
    },
    quiet() {
      if (!service || service.inFlight() > 0) return false;
      const head = log.maxSequence();
      const behind = store.sqlite.prepare('select count(*) as n from webhook_endpoints where last_enqueued_sequence < ?').get(head) as { n: number };
      return behind.n === 0 && repo.endpointsWithDueWork(clock.now()).length === 0;
    },
    async runUntil(done, options = {}) {
      const maxSteps = options.maxSteps ?? 200;
      for (let step = 0; step < maxSteps; step += 1) {
        const deadline = Date.now() + (options.realTimeoutMs ?? 10_000);
        // Quiet twice in a row: an attempt that just finished may have woken a pass not yet run.
        let quietChecks = 0;
        while (quietChecks < 2) {
          if (Date.now() > deadline) throw new Error('the delivery service did not settle in time');
          await new Promise((resolve) => setTimeout(resolve, 10));
          quietChecks = harness.quiet() ? quietChecks + 1 : 0;
          service?.wake();
        }
        if (done()) return step;
        const next = repo.nextScheduledAfter(clock.now());
        if (next === null) {
          const open = store.sqlite.prepare(`select status, count(*) as n from deliveries group by status`).all();
          throw new Error(`nothing left to wait for, and the condition does not hold (deliveries by status: ${JSON.stringify(open)})`);
        }
        clock.set(next);
        service?.wake();
      }
      throw new Error(`condition not reached after ${maxSteps} clock jumps`);
    },
    succeededEventIds(endpointId) {
      return new Set((store.sqlite.prepare(`select event_id as id from deliveries where endpoint_id = ? and status = 'succeeded' and kind = 'normal'`).all(endpointId) as Array<{ id: string }>).map((row) => row.id));
    },
    async close() {
      controller.abort();
      await Promise.all(services.map((candidate) => candidate.stop()));
      await sender.close();
      serviceStore.close();
      ctx.close();
      fs.rmSync(path.dirname(home), { recursive: true, force: true });
    },
  };
  return harness;
}
