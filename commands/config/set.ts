import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { daemonTakes, renderDaemonConfigNote } from '../../src/cli/render-config.js';
import { reloadDaemonConfig } from '../../src/cli/wiring-daemon.js';

export default class ConfigSet extends BaseCommand {
  static summary = 'Change a setting in the config file (environment variables still override it).';
  static description = 'A running daemon reloads the file at once and uses the new value from its next use; the few settings it reads only at start (sync.emit-backfill, secret-store) are reported as needing a restart.';
  static examples = [
    '<%= config.bin %> config set poll-interval 10s',
    '<%= config.bin %> config set delivery.retry-schedule 0s,1m,5m,30m',
    '<%= config.bin %> config set oauth.client-id 1234.apps.googleusercontent.com',
  ];
  static args = {
    key: Args.string({ description: 'Setting key (see "mailmon config list")', required: true }),
    value: Args.string({ description: 'New value', required: true }),
  };

  async run() {
    const { args } = await this.parse(ConfigSet);
    void this.ctx.home;
    this.ctx.config.set(args.key, args.value);
    const resolved = this.ctx.config.resolve(args.key);
    if (resolved.source === 'env') this.note(`Note: ${resolved.env} is set and overrides the file.`);
    this.note(`Set ${args.key}.`);
    const daemon = await reloadDaemonConfig(this.ctx, args.key);
    const daemonNote = daemon && renderDaemonConfigNote(args.key, daemon);
    if (daemonNote) this.note(daemonNote);
    return { key: args.key, value: args.value, file: this.ctx.config.file, daemon: daemon && { pid: daemon.pid, takesEffect: daemonTakes(daemon) } };
  }
}
