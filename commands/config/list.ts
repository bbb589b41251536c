import { BaseCommand } from '../../src/cli/base-command.js';
import { table } from '../../src/cli/table.js';
import { maskSecret, settingSpec } from '../../src/core/settings.js';

export default class ConfigList extends BaseCommand {
  static summary = 'List every setting with its value and where it comes from (env, file or default).';
  static examples = ['<%= config.bin %> config list', '<%= config.bin %> config list --json'];

  async run() {
    await this.parse(ConfigList);
    const settings = this.ctx.config.list().map((setting) => ({ ...setting, value: maskSecret(settingSpec(setting.key), setting.value) ?? null }));
    this.out(table(settings, [
      { header: 'key', value: (row) => row.key },
      { header: 'value', value: (row) => row.value ?? '-' },
      { header: 'source', value: (row) => (row.source === 'env' ? `env (${row.env})` : row.source) },
    ]));
    return { file: this.ctx.config.file, settings };
  }
}
