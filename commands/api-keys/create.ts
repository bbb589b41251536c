import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { createApiKey } from '../../src/app/api-keys.js';
import { apiKeyDeps } from '../../src/cli/wiring.js';
import { renderCreatedApiKey } from '../../src/cli/render-api-keys.js';

export default class ApiKeysCreate extends BaseCommand {
  static summary = 'Create an API key for the HTTP API; the key is printed once.';
  static description = 'Only a hash of the key is stored: it cannot be shown again. A read key may call every GET route; a write key may also change things.';
  static examples = ['<%= config.bin %> api-keys create --name dashboard', '<%= config.bin %> api-keys create --name ci --scope write --json | jq -r .key'];
  static flags = {
    name: Flags.string({ description: 'A label to recognise the key by.' }),
    scope: Flags.string({ description: 'What the key may do.', options: ['read', 'write'], default: 'read' }),
  };

  async run() {
    const { flags } = await this.parse(ApiKeysCreate);
    const created = await createApiKey(await apiKeyDeps(this.ctx), { name: flags.name ?? null, scope: flags.scope as 'read' | 'write' });
    this.out(renderCreatedApiKey(created));
    return created;
  }
}
