/** New webhook signing secrets: `whsec_` + standard base64 of 32 bytes from the OS CSPRNG. */
import { randomBytes } from 'node:crypto';
import { formatWebhookSecret } from '../../core/signatures.js';

export function generateWebhookSecret(): string {
  return formatWebhookSecret(randomBytes(32));
}
