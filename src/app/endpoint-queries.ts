/**
 * Read-only views of registered endpoints: `webhooks list|show` and the summary `status` shows.
 */
import type Database from 'better-sqlite3';
import type { EndpointHealth, SubscriptionRule } from '../core/delivery-schedule.js';
import { DeliveryRepository } from '../adapters/sqlite/delivery-repository.js';
import { EndpointRepository, type HealthChangeRow, type SignatureScheme } from '../adapters/sqlite/endpoint-repository.js';
import { requireEndpoint } from './endpoint-target.js';

export interface EndpointSummary {
  id: string;
  url: string;
  health: EndpointHealth;
  enabled: boolean;
  consecutiveFailures: number;
  /** When the current run of failures began (null when the last attempt succeeded). */
  failingSince: number | null;
  pending: number;
  lastDeliveryAt: number | null;
  /** Why the last finished attempt failed (null when it succeeded). */
  lastError: string | null;
}

export interface EndpointListItem extends EndpointSummary {
  description: string | null;
  signatureScheme: SignatureScheme;
  disabledReason: string | null;
  subscriptions: SubscriptionRule[];
  createdAt: number;
}

export interface EndpointDetails extends EndpointListItem {
  headers: Record<string, string>;
  secretRotation: { previousSecretExpiresAt: number } | null;
  healthChanges: HealthChangeRow[];
}

/** For `mailmon status`: one line per endpoint. */
export function endpointsSummary(sqlite: Database.Database): EndpointSummary[] {
  const deliveries = new DeliveryRepository(sqlite);
  return new EndpointRepository(sqlite).list().map((endpoint) => ({
    id: endpoint.id,
    url: endpoint.url,
    health: endpoint.health,
    enabled: endpoint.enabled,
    consecutiveFailures: endpoint.consecutiveFailures,
    failingSince: endpoint.failingSince,
    pending: deliveries.pendingCount(endpoint.id),
    lastDeliveryAt: deliveries.lastDeliveryAt(endpoint.id),
    lastError: deliveries.lastError(endpoint.id)?.message ?? null,
  }));
}

export function listEndpoints(sqlite: Database.Database): EndpointListItem[] {
  const endpoints = new EndpointRepository(sqlite);
  const summaries = new Map(endpointsSummary(sqlite).map((summary) => [summary.id, summary]));
  return endpoints.list().map((endpoint) => ({
    ...summaries.get(endpoint.id)!,
    description: endpoint.description,
    signatureScheme: endpoint.signatureScheme,
    disabledReason: endpoint.disabledReason,
    subscriptions: endpoints.subscriptions(endpoint.id),
    createdAt: endpoint.createdAt,
  }));
}

export function showEndpoint(sqlite: Database.Database, id: string, now: number): EndpointDetails {
  const endpoint = requireEndpoint(sqlite, id);
  const item = listEndpoints(sqlite).find((candidate) => candidate.id === endpoint.id)!;
  return {
    ...item,
    headers: endpoint.headers,
    secretRotation: endpoint.previousSecretExpiresAt !== null && endpoint.previousSecretExpiresAt > now ? { previousSecretExpiresAt: endpoint.previousSecretExpiresAt } : null,
    healthChanges: new EndpointRepository(sqlite).healthChanges(endpoint.id),
  };
}
