import fs from 'node:fs';
import { BaseCommand } from '../../src/cli/base-command.js';
import { eventTypesFlag, lastFlag, mailboxFlag, sinceFlag, timeWindow, untilFlag, pathFlag } from '../../src/cli/flags.js';
import { readAll, replaySource } from '../../src/app/replay.js';
import { openForWriting, writeLines } from '../../src/cli/output.js';

export default class EventsExport extends BaseCommand {
  static summary = 'Export events as NDJSON (one envelope per line): the format "replay --file" reads.';
  static storeAccess = 'read' as const;
  static description = 'Commit the file to your repository to replay the same events in tests and CI.';
  static examples = ['<%= config.bin %> events export --last 1h > events.jsonl', '<%= config.bin %> events export --events message.* --output fixtures/events.jsonl'];
  static enableJsonFlag = false;
  static flags = {
    since: sinceFlag, until: untilFlag, last: lastFlag, mailbox: mailboxFlag, events: eventTypesFlag,
    output: pathFlag({ char: 'o', description: 'Write to this file instead of stdout.', helpValue: 'FILE' }),
  };

  async run() {
    const { flags } = await this.parse(EventsExport);
    const window = timeWindow(flags, Date.now());
    const { source } = replaySource((await this.ctx.store()).sqlite, { source: { kind: 'window', since: window.since ?? 0, until: window.until }, mailbox: flags.mailbox, events: flags.events });
    const stream = flags.output ? fs.createWriteStream('', { fd: openForWriting(flags.output, '--output') }) : process.stdout;
    const count = await writeLines(stream, (function* () {
      for (const event of readAll(source)) yield event.body;
    })());
    if (flags.output) await new Promise((resolve, reject) => (stream as fs.WriteStream).end((error?: Error | null) => (error ? reject(error) : resolve(undefined))));
    process.stderr.write(`Exported ${count} event(s)${flags.output ? ` to ${flags.output}` : ''}.\n`);
    return { count };
  }
}
