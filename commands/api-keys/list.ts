import { BaseCommand } from '../../src/cli/base-command.js';
import { listApiKeys } from '../../src/app/api-keys.js';
import { apiKeyDeps } from '../../src/cli/wiring.js';
import { renderApiKeys } from '../../src/cli/render-api-keys.js';

export default class ApiKeysList extends BaseCommand {
  static summary = 'List API keys (never the keys themselves): name, scope, first characters, revocation.';
  static examples = ['<%= config.bin %> api-keys list', '<%= config.bin %> api-keys list --json | jq ".[] | select(.revokedAt == null) | .id"'];

  async run() {
    await this.parse(ApiKeysList);
    const keys = await listApiKeys(await apiKeyDeps(this.ctx));
    this.out(renderApiKeys(keys));
    return keys;
  }
}
