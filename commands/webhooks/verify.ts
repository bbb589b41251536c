import { Flags } from '@oclif/core';
import { verifyWebhook, type VerifyWebhookResult } from '../../src/app/verify-webhook.js';
import { BaseCommand } from '../../src/cli/base-command.js';
import { paint } from '../../src/cli/output.js';
import { readPayload } from '../../src/cli/read-input.js';
import { signingFlags, signingSecret } from '../../src/cli/webhook-flags.js';
import { integerFlag, MAX_UNIX_SECONDS } from '../../src/cli/flags.js';

export default class WebhooksVerify extends BaseCommand {
  static summary = 'Check a payload against the signature headers a receiver got.';
  static description = 'Exits 0 when every signature given is valid, non-zero with the reason otherwise. --header takes the x-mailmon-signature value (t=…,v1=…) or "Name: value" lines, including the Standard Webhooks headers.';
  static examples = [
    '<%= config.bin %> webhooks verify --secret whsec_… --payload-file body.json --header "t=1777888999,v1=5257a8…"',
    '<%= config.bin %> webhooks verify --payload-file body.json --header "$(<%= config.bin %> webhooks sign --payload-file body.json)"',
    'cat body.json | <%= config.bin %> webhooks verify --header "webhook-id: evt_…" --header "webhook-timestamp: 1777888999" --header "webhook-signature: v1,K5oZ…" --json',
  ];
  static flags = {
    ...signingFlags,
    header: Flags.string({ description: 'A signature header: the x-mailmon-signature value, or "Name: value" lines.', multiple: true, required: true }),
    tolerance: integerFlag({ description: 'Maximum age of the signature in seconds; 0 skips the check.', default: 300, min: 0, max: MAX_UNIX_SECONDS }),
  };

  async run(): Promise<VerifyWebhookResult> {
    const { flags } = await this.parse(WebhooksVerify);
    const secret = signingSecret(flags.secret, this.argv);
    const payload = await readPayload(flags['payload-file']);
    const result = verifyWebhook({ now: Date.now }, { payload, secret, headers: flags.header, toleranceSeconds: flags.tolerance === 0 ? Infinity : flags.tolerance });
    for (const scheme of result.schemes) {
      const name = scheme.scheme === 'mailmon' ? 'x-mailmon-signature' : `Standard Webhooks (id ${scheme.id})`;
      this.out(`${paint('green', '✓', this.color)} Valid ${name}, signed ${describeAge(scheme.ageSeconds)}.`);
    }
    return result;
  }
}

function describeAge(seconds: number): string {
  if (seconds < 0) return `${-seconds}s in the future`;
  return seconds === 0 ? 'just now' : `${seconds}s ago`;
}
