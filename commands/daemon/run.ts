import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { runDaemonUntilStopped } from '../../src/cli/daemon-run-direct.js';

export default class DaemonRun extends BaseCommand {
  static summary = 'Run the daemon in the foreground: keep every mailbox in sync until Ctrl-C.';
  static description = 'The same loop "daemon start" runs in the background. Logs go to stderr (human-readable) and to the JSON log file. SIGTERM or Ctrl-C drains it: the current sync rolls back, leases are released, and it exits 0.';
  static examples = ['<%= config.bin %> daemon run', 'MAILMON_POLL_INTERVAL=10s <%= config.bin %> daemon run'];
  static flags = {
    detached: Flags.boolean({ hidden: true, description: 'Started by "daemon start": log only to the file.' }),
  };

  async run() {
    const { flags } = await this.parse(DaemonRun);
    // `daemon run` and `daemon run --detached` alone usually start through src/cli/daemon-run-direct.ts before oclif loads.
    return runDaemonUntilStopped(this.ctx, { detached: flags.detached, version: this.config.version });
  }
}
