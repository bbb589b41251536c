/**
 * Where and how to send to a registered endpoint: its URL, extra headers, signature scheme and
 * the secrets that sign (the current one first, the previous one during the 24 h after a
 * rotation). Used by the delivery service, `webhooks test` and `replay --endpoint`.
 */
import type Database from 'better-sqlite3';
import { MailmonError } from '../core/errors.js';
import { EndpointRepository, previousSecretName, secretName, type EndpointRow, type SignatureScheme } from '../adapters/sqlite/endpoint-repository.js';
import type { CredentialVault } from '../adapters/secrets/credential-vault.js';

export type SecretReader = Pick<CredentialVault, 'loadSecret'>;

export interface EndpointTarget {
  id: string;
  url: string;
  headers: Record<string, string>;
  secrets: string[];
  scheme: SignatureScheme;
}

export function requireEndpoint(sqlite: Database.Database, endpointId: string): EndpointRow {
  const endpoint = new EndpointRepository(sqlite).get(endpointId);
  if (!endpoint) {
    throw new MailmonError('not_found', `No webhook endpoint ${endpointId}.`, { hint: 'List endpoints with "mailmon webhooks list".' });
  }
  return endpoint;
}

export async function endpointSecrets(vault: SecretReader, endpoint: Pick<EndpointRow, 'id' | 'previousSecretExpiresAt'>, now: number): Promise<string[]> {
  const current = await vault.loadSecret(secretName(endpoint.id));
  if (!current) {
    throw new MailmonError('credential_missing', `Webhook endpoint ${endpoint.id} has no signing secret in the credential vault.`, {
      hint: `Run "mailmon webhooks rotate-secret ${endpoint.id}" to give it a new one.`,
    });
  }
  const secrets = [current];
  if (endpoint.previousSecretExpiresAt !== null && now < endpoint.previousSecretExpiresAt) {
    const previous = await vault.loadSecret(previousSecretName(endpoint.id));
    if (previous) secrets.push(previous);
  }
  return secrets;
}

export async function endpointTarget(sqlite: Database.Database, vault: SecretReader, endpointId: string, now = Date.now()): Promise<EndpointTarget> {
  const endpoint = requireEndpoint(sqlite, endpointId);
  return { id: endpoint.id, url: endpoint.url, headers: endpoint.headers, secrets: await endpointSecrets(vault, endpoint, now), scheme: endpoint.signatureScheme };
}
