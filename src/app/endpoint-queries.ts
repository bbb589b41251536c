/**
 * Read-only views of registered endpoints: `webhooks list|show` and the summary `status` shows.
 */
import type { EndpointHealth, SubscriptionRule } from '../core/delivery-schedule.js';
import type { HealthChangeRow, SignatureScheme } from './ports/endpoints.js';
import type { Storage } from './ports/storage.js';
import { requireEndpoint } from './endpoint-target.js';

type EndpointStorage = Pick<Storage, 'endpoints' | 'deliveries'>;

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
export async function endpointsSummary(storage: EndpointStorage): Promise<EndpointSummary[]> {
  const { deliveries } = storage;
  return Promise.all((await storage.endpoints.list()).map(async (endpoint) => ({
    id: endpoint.id,
    url: endpoint.url,
    health: endpoint.health,
    enabled: endpoint.enabled,
    consecutiveFailures: endpoint.consecutiveFailures,
    failingSince: endpoint.failingSince,
    pending: await deliveries.pendingCount(endpoint.id),
    lastDeliveryAt: await deliveries.lastDeliveryAt(endpoint.id),
    lastError: (await deliveries.lastError(endpoint.id))?.message ?? null,
  })));
}

export async function listEndpoints(storage: EndpointStorage): Promise<EndpointListItem[]> {
  const summaries = new Map((await endpointsSummary(storage)).map((summary) => [summary.id, summary]));
  return Promise.all((await storage.endpoints.list()).map(async (endpoint) => ({
    ...summaries.get(endpoint.id)!,
    description: endpoint.description,
    signatureScheme: endpoint.signatureScheme,
    disabledReason: endpoint.disabledReason,
    subscriptions: await storage.endpoints.subscriptions(endpoint.id),
    createdAt: endpoint.createdAt,
  })));
}

export async function showEndpoint(storage: EndpointStorage, id: string, now: number): Promise<EndpointDetails> {
  const endpoint = await requireEndpoint(storage.endpoints, id);
  const item = (await listEndpoints(storage)).find((candidate) => candidate.id === endpoint.id)!;
  return {
    ...item,
    headers: endpoint.headers,
    secretRotation: endpoint.previousSecretExpiresAt !== null && endpoint.previousSecretExpiresAt > now ? { previousSecretExpiresAt: endpoint.previousSecretExpiresAt } : null,
    healthChanges: await storage.endpoints.healthChanges(endpoint.id),
  };
}
