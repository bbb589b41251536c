import { BaseCommand } from '../../src/cli/base-command.js';
import { uninstallDaemonService } from '../../src/cli/wiring-daemon.js';

export default class DaemonUninstall extends BaseCommand {
  static summary = 'Remove the user service file written by "daemon install".';
  static examples = ['<%= config.bin %> daemon uninstall'];

  async run() {
    await this.parse(DaemonUninstall);
    const result = await uninstallDaemonService();
    this.out(result.removed ? `Removed ${result.file}. If it was enabled, also run:\n${result.disable.map((line) => `  ${line}`).join('\n')}` : `Nothing to remove: ${result.file} does not exist.`);
    return result;
  }
}
