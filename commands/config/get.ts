import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { maskSecret, settingSpec } from '../../src/core/settings.js';

export default class ConfigGet extends BaseCommand {
  static summary = 'Print the value of one setting.';
  static examples = ['<%= config.bin %> config get poll-interval', '<%= config.bin %> config get delivery.timeout --json'];
  static args = { key: Args.string({ description: 'Setting key (see "mailmon config list")', required: true }) };

  async run() {
    const { args } = await this.parse(ConfigGet);
    const resolved = this.ctx.config.resolve(args.key);
    const value = maskSecret(settingSpec(args.key), resolved.value) ?? null;
    this.out(value ?? '');
    return { ...resolved, value };
  }
}
