/**
 * `webhooks enable|disable|remove`. Enabling resets health to active and makes the kept backlog
 * due now; disabling keeps the backlog; removing deletes the endpoint, its attempts and secrets.
 * Every health change is recorded with its reason.
 */
import type Database from 'better-sqlite3';
import { DeliveryRepository } from '../adapters/sqlite/delivery-repository.js';
import { EndpointRepository, previousSecretName, secretName } from '../adapters/sqlite/endpoint-repository.js';
import type { CredentialVault } from '../adapters/secrets/credential-vault.js';
import { requireEndpoint } from './endpoint-target.js';

export interface EndpointChange {
  id: string;
  health: string;
  enabled: boolean;
  /** Attempts waiting (enable: now due). */
  pending: number;
}

export function enableEndpoint(sqlite: Database.Database, id: string, now: number): EndpointChange {
  const endpoint = requireEndpoint(sqlite, id);
  sqlite.transaction(() => {
    const change = endpoint.health !== 'active' ? { from: endpoint.health, to: 'active' as const, reason: 'enabled by command' } : null;
    new EndpointRepository(sqlite).applyHealthInTransaction(id, { health: 'active', enabled: true, consecutiveFailures: 0, failingSince: null, change }, now, null);
    new DeliveryRepository(sqlite).rescheduleNow(id, now);
  }).immediate();
  return { id, health: 'active', enabled: true, pending: new DeliveryRepository(sqlite).pendingCount(id) };
}

export function disableEndpoint(sqlite: Database.Database, id: string, now: number): EndpointChange {
  const endpoint = requireEndpoint(sqlite, id);
  const change = endpoint.health !== 'disabled' ? { from: endpoint.health, to: 'disabled' as const, reason: 'disabled by command' } : null;
  new EndpointRepository(sqlite).applyHealth(id, { health: 'disabled', enabled: false, consecutiveFailures: endpoint.consecutiveFailures, failingSince: endpoint.failingSince, change }, now, 'disabled by command');
  return { id, health: 'disabled', enabled: false, pending: new DeliveryRepository(sqlite).pendingCount(id) };
}

export async function removeEndpoint(sqlite: Database.Database, vault: Pick<CredentialVault, 'deleteSecret'>, id: string): Promise<{ id: string; removed: true }> {
  requireEndpoint(sqlite, id);
  new EndpointRepository(sqlite).remove(id);
  await vault.deleteSecret(secretName(id));
  await vault.deleteSecret(previousSecretName(id));
  return { id, removed: true };
}
