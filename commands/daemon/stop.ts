import { BaseCommand } from '../../src/cli/base-command.js';
import { stopDaemonFor } from '../../src/cli/wiring-daemon.js';
import { plural } from '../../src/cli/output.js';
import { integerFlag, MAX_TIMER_SECONDS } from '../../src/cli/flags.js';

export default class DaemonStop extends BaseCommand {
  static summary = 'Stop the background daemon: SIGTERM, wait, then SIGKILL after --timeout.';
  static examples = ['<%= config.bin %> daemon stop', '<%= config.bin %> daemon stop --timeout 30 --json'];
  static flags = {
    timeout: integerFlag({ description: 'Seconds to wait for a clean exit before SIGKILL.', default: 10, min: 1, max: MAX_TIMER_SECONDS }),
  };

  async run() {
    const { flags } = await this.parse(DaemonStop);
    const result = await stopDaemonFor(this.ctx, flags.timeout * 1000);
    if (!result.wasRunning) this.out(`No daemon is running${result.removedStalePidFile ? ' (removed a stale pid file)' : ''}.`);
    else this.out(`Daemon stopped (pid ${result.pid}, ${result.forced ? `killed after ${flags.timeout}s without a clean exit` : `exited cleanly in ${(result.stopMs / 1000).toFixed(1)}s`}).`);
    if (result.leasesLeft > 0) this.note(`${plural(result.leasesLeft, 'lease file is', 'lease files are')} still held by another process.`);
    return result;
  }
}
