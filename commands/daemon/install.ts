import { BaseCommand } from '../../src/cli/base-command.js';
import { installDaemonService } from '../../src/cli/wiring-daemon.js';

export default class DaemonInstall extends BaseCommand {
  static summary = 'Write a user service (systemd on Linux, launchd on macOS) that runs the daemon at login. Does not enable it.';
  static examples = ['<%= config.bin %> daemon install'];

  async run() {
    await this.parse(DaemonInstall);
    const unit = await installDaemonService(this.ctx);
    this.out(`${unit.existed ? 'Rewrote' : 'Wrote'} ${unit.file}:\n\n${unit.contents}\nEnable it with:\n${unit.enable.map((line) => `  ${line}`).join('\n')}`);
    return { file: unit.file, contents: unit.contents, enable: unit.enable };
  }
}
