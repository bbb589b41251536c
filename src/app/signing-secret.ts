/**
 * The signing secret of `listen` / `replay`: --secret, else MAILMON_WEBHOOK_SECRET, else the one
 * generated once per home and stored with the credentials' protection (shown to the user).
 */
import { requireWebhookSecret } from '../core/webhook-target.js';

export const LISTEN_SECRET_NAME = 'listen-signing-secret';

export interface SecretStore {
  loadSecret(name: string): Promise<string | undefined>;
  saveSecret(name: string, value: string): Promise<void>;
}

export interface ResolvedSecret {
  secret: string;
  source: 'flag' | 'env' | 'stored' | 'generated';
}

export async function resolveSigningSecret(input: { flag?: string; env?: string; store: () => Promise<SecretStore>; generate: () => string }): Promise<ResolvedSecret> {
  if (input.flag !== undefined) return { secret: requireWebhookSecret(input.flag, '--secret'), source: 'flag' };
  if (input.env !== undefined && input.env !== '') return { secret: requireWebhookSecret(input.env, 'MAILMON_WEBHOOK_SECRET'), source: 'env' };
  const store = await input.store();
  const stored = await store.loadSecret(LISTEN_SECRET_NAME);
  if (stored) return { secret: stored, source: 'stored' };
  const secret = input.generate();
  await store.saveSecret(LISTEN_SECRET_NAME, secret);
  return { secret, source: 'generated' };
}
