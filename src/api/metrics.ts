/**
 * Every Prometheus metric of mailmon, on one dedicated registry (never prom-client's global
 * one), with the process defaults. Counters move through the `Metrics` hooks from the start;
 * gauges that describe stored state are computed from the ports when scraped. The process
 * defaults (CPU, memory, GC, event-loop lag) are registered at the first scrape.
 */
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import type { Clock } from '../app/ports/clock.js';
import type { Metrics } from '../app/ports/metrics.js';
import type { Storage } from '../app/ports/storage.js';

// prom-client's index also loads its process defaults, whose CPU metric requires all of
// @opentelemetry/api (~50 modules, ~3 MB of a daemon's memory): a daemon nobody scrapes needs
// only the metric classes, each a small file of the same package.
const load = createRequire(import.meta.url);
const Registry = load('prom-client/lib/registry') as typeof PromClient.Registry;
const Counter = load('prom-client/lib/counter') as typeof PromClient.Counter;
const Gauge = load('prom-client/lib/gauge') as typeof PromClient.Gauge;
const Histogram = load('prom-client/lib/histogram') as typeof PromClient.Histogram;

export interface MetricsRegistry {
  hooks: Metrics;
  contentType: string;
  render(): Promise<string>;
}

export interface MetricsDeps {
  storage: Pick<Storage, 'mailboxes' | 'endpoints' | 'consumers' | 'events'>;
  clock: Pick<Clock, 'now'>;
}

const HEALTHS = ['active', 'warning', 'disabled'] as const;

export function createMetrics(deps: MetricsDeps): MetricsRegistry {
  const registry = new Registry();
  // The GC and event-loop histograms count from the first scrape; the CPU and memory figures are the process's own totals.
  let defaults: Promise<void> | undefined;
  const withDefaults = () =>
    (defaults ??= import('prom-client').then(({ collectDefaultMetrics }) => {
      // The event-loop lag histogram samples on a timer: at prom-client's default 10 ms that was 100
      // wake-ups a second, most of an idle daemon's CPU. One sample a second still sees every stall.
      collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 1_000 });
    }));
  const registers = [registry];
  const deliveries = new Counter({ name: 'mailmon_webhook_deliveries_total', help: 'Webhook delivery attempts by outcome and event type', labelNames: ['status', 'event_type'], registers });
  const latency = new Histogram({ name: 'mailmon_webhook_delivery_latency_seconds', help: 'Time from a delivery attempt to its answer', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers });
  new Gauge({
    name: 'mailmon_webhook_endpoints',
    help: 'Webhook endpoints by health',
    labelNames: ['health'],
    registers,
    async collect() {
      const endpoints = await deps.storage.endpoints.list();
      for (const health of HEALTHS) this.set({ health }, endpoints.filter((endpoint) => endpoint.health === health).length);
    },
  });
  const syncRuns = new Counter({ name: 'mailmon_sync_runs_total', help: 'Sync runs by kind and outcome', labelNames: ['kind', 'outcome'], registers });
  new Gauge({
    name: 'mailmon_sync_lag_seconds',
    help: 'Seconds since each mailbox last synced successfully',
    labelNames: ['mailbox'],
    registers,
    async collect() {
      this.reset();
      const now = deps.clock.now();
      for (const mailbox of await deps.storage.mailboxes.list()) {
        if (mailbox.lastSuccessAt !== null) this.set({ mailbox: mailbox.id }, Math.max(0, now - mailbox.lastSuccessAt) / 1000);
      }
    },
  });
  const gmailRequests = new Counter({ name: 'mailmon_gmail_requests_total', help: 'Gmail API requests by method and HTTP status', labelNames: ['method', 'status'], registers });
  const quotaUnits = new Counter({ name: 'mailmon_gmail_quota_units_total', help: 'Gmail quota units spent', registers });
  const eventsAppended = new Counter({ name: 'mailmon_events_appended_total', help: 'Events appended to the log, by type', labelNames: ['type'], registers });
  new Gauge({
    name: 'mailmon_listen_consumers_lag_events',
    help: 'Events each listen consumer is behind the log',
    labelNames: ['consumer'],
    registers,
    async collect() {
      this.reset();
      const head = await deps.storage.events.head();
      for (const consumer of await deps.storage.consumers.list()) this.set({ consumer: consumer.name }, Math.max(0, head - consumer.lastSequence));
    },
  });
  return {
    contentType: registry.contentType,
    render: async () => {
      await withDefaults();
      return registry.metrics();
    },
    hooks: {
      eventsAppended: (type, count) => eventsAppended.inc({ type }, count),
      syncRun: (kind, outcome) => syncRuns.inc({ kind, outcome }),
      deliveryFinished: (status, eventType, seconds) => {
        deliveries.inc({ status, event_type: eventType });
        latency.observe(seconds);
      },
      gmailRequest: (method, status, units) => {
        gmailRequests.inc({ method, status: String(status) });
        if (units > 0) quotaUnits.inc(units);
      },
    },
  };
}
