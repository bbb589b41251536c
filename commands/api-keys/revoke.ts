import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { revokeApiKey } from '../../src/app/api-keys.js';
import { apiKeyDeps } from '../../src/cli/wiring.js';

export default class ApiKeysRevoke extends BaseCommand {
  static summary = 'Revoke an API key: requests with it are refused (401) from now on.';
  static examples = ['<%= config.bin %> api-keys revoke key_01jbz3k…'];
  static args = { id: Args.string({ description: 'Key id, as "mailmon api-keys list" shows it', required: true }) };

  async run() {
    const { args } = await this.parse(ApiKeysRevoke);
    const revoked = await revokeApiKey(await apiKeyDeps(this.ctx), args.id);
    this.out(`Revoked API key ${revoked.id}${revoked.name ? ` (${revoked.name})` : ''} at ${revoked.revokedAt}.`);
    return revoked;
  }
}
