/**
 * What the running code reports for the Prometheus metrics: small synchronous hooks (counters
 * move in memory; scraping reads them). The composition root passes the prom-client backed
 * implementation, tests and processes without metrics pass `noMetrics`.
 */
export type { SyncKind } from './sync-runs.js';
export type DeliveryStatus = 'succeeded' | 'failed' | 'abandoned';
import type { SyncKind } from './sync-runs.js';

export interface Metrics {
  eventsAppended(type: string, count: number): void;
  syncRun(kind: SyncKind, outcome: string): void;
  deliveryFinished(status: DeliveryStatus, eventType: string, latencySeconds: number): void;
  gmailRequest(method: string, status: number, quotaUnits: number): void;
}

export const noMetrics: Metrics = {
  eventsAppended: () => undefined,
  syncRun: () => undefined,
  deliveryFinished: () => undefined,
  gmailRequest: () => undefined,
};
