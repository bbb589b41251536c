/** Flags shared by the commands that sign or verify payloads by hand. */
import { Flags } from '@oclif/core';
import { requireWebhookSecret } from '../core/webhook-target.js';
import { pathFlag } from './flags.js';

export const signingFlags = {
  secret: Flags.string({ description: 'Signing secret (whsec_…). Default: $MAILMON_WEBHOOK_SECRET.', env: 'MAILMON_WEBHOOK_SECRET' }),
  'payload-file': pathFlag({ description: 'File with the raw body, or - for stdin (default: stdin when piped).' }),
};

/** The validated secret, naming where it came from when it is not a mailmon secret. */
export function signingSecret(value: string | undefined, argv: string[]): string {
  const fromFlag = argv.some((arg) => arg === '--secret' || arg.startsWith('--secret='));
  return requireWebhookSecret(value, fromFlag ? '--secret' : 'MAILMON_WEBHOOK_SECRET');
}
