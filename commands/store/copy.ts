import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { copyStoreTo } from '../../src/cli/wiring.js';

export default class StoreCopy extends BaseCommand {
  static summary = 'Copy this home\'s SQLite store into an empty PostgreSQL database, all or nothing.';
  static description = 'Mailboxes, credential envelopes, message state, events (same ids and sequences), consumers, endpoints, deliveries and API keys move in ONE PostgreSQL transaction: on any error nothing is left behind. The database must be empty (migrations are applied first). Credentials stay sealed: every daemon on the shared store needs the same MAILMON_ENCRYPTION_KEY (credentials held in this machine\'s OS keychain are refused: move them to the file store first). Then point daemons at it with store.url or MAILMON_DATABASE_URL. See docs/scale-out.md.';
  static storeAccess = 'read' as const;
  static examples = [
    '<%= config.bin %> store copy --to postgres://mailmon:secret@db.internal/mailmon',
    '<%= config.bin %> store copy --to "$MAILMON_DATABASE_URL" --json | jq .rows',
  ];
  static flags = { to: Flags.string({ description: 'The PostgreSQL database to fill (postgres://USER:PASSWORD@HOST/DB); it must be empty.', required: true }) };

  async run() {
    const { flags } = await this.parse(StoreCopy);
    const result = await copyStoreTo(this.ctx, flags.to, {
      onProgress: ({ table, rows, done, of }) => this.note(`Copying… ${done}/${of} ${table}: ${rows} row${rows === 1 ? '' : 's'}`),
    });
    this.out(`Copied ${result.rows} rows in ${result.tables.filter((table) => table.rows > 0).length} tables from ${result.from} to ${result.to} (${result.durationMs} ms), in one transaction.`);
    return result;
  }
}
