/**
 * `webhooks secret|rotate-secret`. A rotation keeps the old secret signing next to the new one
 * for 24 h (both `v1=` values are sent), so receivers can switch without dropping a request.
 */
import type { Storage } from './ports/storage.js';
import { previousSecretName, secretName } from './ports/endpoints.js';
import type { Secrets } from './ports/credentials.js';
import { endpointSecrets, requireEndpoint } from './endpoint-target.js';

export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

export interface EndpointSecret {
  id: string;
  secret: string;
  /** During a rotation: the previous secret and when it stops signing. */
  previous: { secret: string; expiresAt: number } | null;
}

export async function showEndpointSecret(storage: Pick<Storage, 'endpoints'>, vault: Pick<Secrets, 'loadSecret'>, id: string, now: number): Promise<EndpointSecret> {
  const endpoint = await requireEndpoint(storage.endpoints, id);
  const [secret, previous] = await endpointSecrets(vault, endpoint, now);
  return { id, secret, previous: previous && endpoint.previousSecretExpiresAt !== null ? { secret: previous, expiresAt: endpoint.previousSecretExpiresAt } : null };
}

export async function rotateEndpointSecret(
  deps: { storage: Pick<Storage, 'endpoints'>; vault: Pick<Secrets, 'loadSecret' | 'saveSecret'>; generateSecret: () => string; now: () => number },
  id: string,
): Promise<EndpointSecret> {
  const endpoint = await requireEndpoint(deps.storage.endpoints, id);
  const [current] = await endpointSecrets(deps.vault, endpoint, deps.now());
  const secret = deps.generateSecret();
  const expiresAt = deps.now() + ROTATION_OVERLAP_MS;
  // Previous first: at every moment the stored pair signs with a secret the receiver knows.
  await deps.vault.saveSecret(previousSecretName(id), current);
  await deps.vault.saveSecret(secretName(id), secret);
  await deps.storage.endpoints.setPreviousSecretExpiry(id, expiresAt, deps.now());
  return { id, secret, previous: { secret: current, expiresAt } };
}
