import { Flags } from '@oclif/core';
import { signWebhook, type SignWebhookResult } from '../../src/app/sign-webhook.js';
import { BaseCommand } from '../../src/cli/base-command.js';
import { readPayload } from '../../src/cli/read-input.js';
import { signingFlags, signingSecret } from '../../src/cli/webhook-flags.js';
import { integerFlag, MAX_UNIX_SECONDS } from '../../src/cli/flags.js';

export default class WebhooksSign extends BaseCommand {
  static summary = 'Print the signature headers mailmon would send with a payload.';
  static description = 'Signs the exact bytes of the payload under both schemes (x-mailmon-signature and Standard Webhooks), one "name: value" line per header, ready for curl -H.';
  static examples = [
    '<%= config.bin %> webhooks sign --secret whsec_… --payload-file event.json',
    'cat event.json | <%= config.bin %> webhooks sign --timestamp 1777888999 --json',
    '<%= config.bin %> webhooks sign --payload-file event.json --id evt_test_1   # secret from MAILMON_WEBHOOK_SECRET',
  ];
  static flags = {
    ...signingFlags,
    timestamp: integerFlag({ description: 'Unix seconds to sign with (default: now).', min: 0, max: MAX_UNIX_SECONDS }),
    id: Flags.string({ description: "webhook-id for the Standard Webhooks headers (default: the payload's event id)." }),
  };

  async run(): Promise<SignWebhookResult> {
    const { flags } = await this.parse(WebhooksSign);
    const secret = signingSecret(flags.secret, this.argv);
    const payload = await readPayload(flags['payload-file']);
    const result = signWebhook({ now: Date.now }, { payload, secret, timestamp: flags.timestamp, id: flags.id });
    this.out(Object.entries(result.headers).map(([name, value]) => `${name}: ${value}`).join('\n'));
    if (result.id === null) this.note('No event id in the payload: pass --id to also get the Standard Webhooks headers.');
    return result;
  }
}
