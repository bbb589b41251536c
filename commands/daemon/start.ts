import { BaseCommand } from '../../src/cli/base-command.js';
import { startDaemonFor } from '../../src/cli/wiring-daemon.js';

export default class DaemonStart extends BaseCommand {
  static summary = 'Start the background daemon (one per MAILMON_HOME) and wait until it is ready.';
  static description = 'Succeeds without starting another one when the daemon already runs (like systemctl start). Spawns "mailmon daemon run" detached, with a pid file under MAILMON_HOME/run and a JSON log under MAILMON_HOME/logs. Returns once the daemon answers on its control socket, or prints the error it died with.';
  static examples = ['<%= config.bin %> daemon start', '<%= config.bin %> daemon start --json'];

  async run() {
    await this.parse(DaemonStart);
    const result = await startDaemonFor(this.ctx);
    if (result.alreadyRunning) {
      this.out(`Daemon already running (pid ${result.pid}). Logs: mailmon daemon logs -f (${result.logFile})`);
      return result;
    }
    if (result.replacedStalePid) this.note(`Replaced a stale pid file (pid ${result.replacedStalePid} is gone).`);
    this.out(`Daemon started (pid ${result.pid}). Logs: mailmon daemon logs -f (${result.logFile})`);
    return result;
  }
}
