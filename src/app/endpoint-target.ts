/**
 * Where and how to send to a registered endpoint: its URL, extra headers, signature scheme and
 * the secrets that sign (the current one first, the previous one during the 24 h after a
 * rotation). Used by the delivery service, `webhooks test` and `replay --endpoint`.
 */
import { MailmonError } from '../core/errors.js';
import { previousSecretName, secretName, type EndpointRow, type Endpoints, type SignatureScheme } from './ports/endpoints.js';
import type { Secrets } from './ports/credentials.js';

export type SecretReader = Pick<Secrets, 'loadSecret'>;

export interface EndpointTarget {
  id: string;
  url: string;
  headers: Record<string, string>;
  secrets: string[];
  scheme: SignatureScheme;
}

export async function requireEndpoint(endpoints: Pick<Endpoints, 'get'>, endpointId: string): Promise<EndpointRow> {
  const endpoint = await endpoints.get(endpointId);
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

export async function endpointTarget(endpoints: Pick<Endpoints, 'get'>, vault: SecretReader, endpointId: string, now: number): Promise<EndpointTarget> {
  const endpoint = await requireEndpoint(endpoints, endpointId);
  return { id: endpoint.id, url: endpoint.url, headers: endpoint.headers, secrets: await endpointSecrets(vault, endpoint, now), scheme: endpoint.signatureScheme };
}
