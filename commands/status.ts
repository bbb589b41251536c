import { Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { interruptSignal } from '../src/cli/interrupt.js';
import { STATUS_STORE_ACCESS } from '../src/cli/status-json.js';
import { statusReportFor } from '../src/cli/wiring-daemon.js';

export default class Status extends BaseCommand {
  static summary = 'One screen: the daemon, each mailbox (status, lag, last sync, errors), the event log, listeners and endpoints.';
  static storeAccess = STATUS_STORE_ACCESS;
  static description = 'Reads the store directly, so it works without a daemon; the live state is added when one runs. ink on a terminal, plain text otherwise, JSON with --json.';
  static examples = ['<%= config.bin %> status', '<%= config.bin %> status --watch', '<%= config.bin %> status --json'];
  static flags = {
    watch: Flags.boolean({ char: 'w', description: 'Refresh every 2 seconds until q or Ctrl-C.' }),
  };

  // `status --json` alone is usually answered by src/cli/status-json.ts before oclif loads:
  // what this prints under --json must stay what that prints (test/e2e/status-fast-path.test.ts).
  async run() {
    const { flags } = await this.parse(Status);
    const load = () => statusReportFor(this.ctx);
    const report = await load();
    if (this.jsonEnabled()) return report;
    if (process.stdout.isTTY) {
      const { showStatusScreen } = await import('../src/ui/status-screen.js');
      await showStatusScreen({ initial: report, load, watch: flags.watch, refreshMs: 2_000, signal: interruptSignal() });
      return report;
    }
    // The text renderer (and its table measuring) loads only for a human reading it: --json stays light.
    const { renderStatusReport } = await import('../src/cli/render-daemon.js');
    this.out(renderStatusReport(report, this.color));
    if (flags.watch) await watchPlain(load, (next) => this.out(`\n${renderStatusReport(next, this.color)}`), interruptSignal());
    return report;
  }
}

/** --watch off a TTY: print the whole report again every 2 s (no cursor tricks in CI logs). */
async function watchPlain<T>(load: () => Promise<T>, print: (report: T) => void, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000);
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
    if (!signal.aborted) print(await load());
  }
}
