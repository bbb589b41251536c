import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { backupStoreTo } from '../../src/cli/wiring.js';
import { MailmonError } from '../../src/core/errors.js';

export default class StoreBackup extends BaseCommand {
  static summary = 'Copy the store to FILE, consistently, even while the daemon runs (SQLite online backup).';
  static description = 'FILE is one self-contained SQLite file, checked with integrity_check before it appears. To restore: stop the daemon ("mailmon daemon stop"), move mailmon.db and its -wal/-shm files out of MAILMON_HOME, then copy FILE to MAILMON_HOME/mailmon.db. See "Recovering the store" in docs/guarantees.md.';
  static storeAccess = 'read' as const;
  static examples = [
    '<%= config.bin %> store backup ~/backups/mailmon-$(date +%F).db',
    '<%= config.bin %> store backup /mnt/usb/mailmon.db --force --json | jq .bytes',
  ];
  static args = { file: Args.string({ description: 'Where to write the backup (its directory must exist).', required: true }) };
  static flags = { force: Flags.boolean({ description: 'Replace FILE if it exists.' }) };

  async run() {
    const { args, flags } = await this.parse(StoreBackup);
    let reported = -1;
    const result = await backupStoreTo(this.ctx, args.file, {
      force: flags.force,
      // Progress only for stores big enough to take a while (≥ 10 MB at 4 KB pages), every 10 %.
      onProgress: ({ totalPages, remainingPages }) => {
        const percent = Math.floor(((totalPages - remainingPages) / Math.max(totalPages, 1)) * 10) * 10;
        if (totalPages < 2560 || percent <= reported || percent === 100) return;
        reported = percent;
        this.note(`Backing up… ${percent}% of ${totalPages} pages`);
      },
    });
    if (result.integrity !== 'ok') {
      throw new MailmonError('store_corrupt', `The backup was written to ${result.file}, but it carries the store's corruption: ${result.integrity}.`, {
        hint: 'Keep it: it holds what could be read. Restore an earlier backup if you have one; see docs/guarantees.md for recovery.',
      });
    }
    this.out(`Backed up the store to ${result.file} (${formatBytes(result.bytes)}, ${result.durationMs} ms).`);
    return result;
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
