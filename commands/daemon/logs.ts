import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { interruptSignal } from '../../src/cli/wiring.js';
import { daemonLogTail, followDaemonLog } from '../../src/cli/wiring-daemon.js';
import { formatLogEntry } from '../../src/core/log-entry.js';
import { integerFlag, MAX_LIMIT } from '../../src/cli/flags.js';

export default class DaemonLogs extends BaseCommand {
  static summary = "Show the daemon's log, human-readable (-f to follow).";
  static examples = ['<%= config.bin %> daemon logs', '<%= config.bin %> daemon logs -f', '<%= config.bin %> daemon logs --lines 200 --json'];
  static flags = {
    follow: Flags.boolean({ char: 'f', description: 'Keep printing new lines as they are written.' }),
    lines: integerFlag({ char: 'n', description: 'How many of the last lines to show.', default: 50, min: 0, max: MAX_LIMIT }),
  };

  async run() {
    const { flags } = await this.parse(DaemonLogs);
    const json = this.jsonEnabled();
    const print = (entry: Parameters<typeof formatLogEntry>[0]) => process.stdout.write(`${json ? JSON.stringify(entry) : formatLogEntry(entry)}\n`);
    const { file, entries } = daemonLogTail(this.ctx, flags.lines);
    if (entries.length === 0 && !flags.follow) this.note(`The daemon log is empty (${file}).`);
    entries.forEach(print);
    if (flags.follow) await followDaemonLog(this.ctx, print, interruptSignal());
    if (json) this.exit(0);
  }
}
