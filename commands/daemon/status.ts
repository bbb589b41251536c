import { BaseCommand } from '../../src/cli/base-command.js';
import { daemonStatusFor } from '../../src/cli/wiring-daemon.js';
import { renderDaemonStatus } from '../../src/cli/render-daemon.js';

export default class DaemonStatus extends BaseCommand {
  static summary = 'Show whether the daemon runs: pid, uptime, version, home, log, and each mailbox\'s last sync.';
  static examples = ['<%= config.bin %> daemon status', '<%= config.bin %> daemon status --json'];

  async run() {
    await this.parse(DaemonStatus);
    const status = await daemonStatusFor(this.ctx);
    this.out(renderDaemonStatus(status, this.color));
    return status;
  }
}
