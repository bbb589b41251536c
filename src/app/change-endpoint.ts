/**
 * `webhooks enable|disable|remove`. Enabling resets health to active and makes the kept backlog
 * due now; disabling keeps the backlog; removing deletes the endpoint, its attempts and secrets.
 * Every health change is recorded with its reason.
 */
import type { Storage } from './ports/storage.js';
import { previousSecretName, secretName } from './ports/endpoints.js';
import type { Secrets } from './ports/credentials.js';
import { requireEndpoint } from './endpoint-target.js';

export type EndpointStorage = Pick<Storage, 'endpoints' | 'deliveries'>;

export interface EndpointChange {
  id: string;
  health: string;
  enabled: boolean;
  /** Attempts waiting (enable: now due). */
  pending: number;
}

export async function enableEndpoint(storage: EndpointStorage, id: string, now: number): Promise<EndpointChange> {
  const endpoint = await requireEndpoint(storage.endpoints, id);
  const change = endpoint.health !== 'active' ? { from: endpoint.health, to: 'active' as const, reason: 'enabled by command' } : null;
  await storage.endpoints.applyHealth(id, { health: 'active', enabled: true, consecutiveFailures: 0, failingSince: null, change }, now, { disabledReason: null, rescheduleBacklog: true });
  return { id, health: 'active', enabled: true, pending: await storage.deliveries.pendingCount(id) };
}

export async function disableEndpoint(storage: EndpointStorage, id: string, now: number): Promise<EndpointChange> {
  const endpoint = await requireEndpoint(storage.endpoints, id);
  const change = endpoint.health !== 'disabled' ? { from: endpoint.health, to: 'disabled' as const, reason: 'disabled by command' } : null;
  const update = { health: 'disabled' as const, enabled: false, consecutiveFailures: endpoint.consecutiveFailures, failingSince: endpoint.failingSince, change };
  await storage.endpoints.applyHealth(id, update, now, { disabledReason: 'disabled by command' });
  return { id, health: 'disabled', enabled: false, pending: await storage.deliveries.pendingCount(id) };
}

export async function removeEndpoint(storage: Pick<Storage, 'endpoints'>, vault: Pick<Secrets, 'deleteSecret'>, id: string): Promise<{ id: string; removed: true }> {
  await requireEndpoint(storage.endpoints, id);
  await storage.endpoints.remove(id);
  await vault.deleteSecret(secretName(id));
  await vault.deleteSecret(previousSecretName(id));
  return { id, removed: true };
}
