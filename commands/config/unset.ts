import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { daemonTakes, renderDaemonConfigNote } from '../../src/cli/render-config.js';
import { reloadDaemonConfig } from '../../src/cli/wiring-daemon.js';

export default class ConfigUnset extends BaseCommand {
  static summary = 'Remove a setting from the config file, so its default (or env var) applies.';
  static examples = ['<%= config.bin %> config unset poll-interval'];
  static args = { key: Args.string({ description: 'Setting key (see "mailmon config list")', required: true }) };

  async run() {
    const { args } = await this.parse(ConfigUnset);
    void this.ctx.home;
    const removed = this.ctx.config.unset(args.key);
    this.note(removed ? `Unset ${args.key}.` : `${args.key} was not set in the config file.`);
    const daemon = removed ? await reloadDaemonConfig(this.ctx, args.key) : null;
    const daemonNote = daemon && renderDaemonConfigNote(args.key, daemon);
    if (daemonNote) this.note(daemonNote);
    return { key: args.key, removed, daemon: daemon && { pid: daemon.pid, takesEffect: daemonTakes(daemon) } };
  }
}
