import fs from 'node:fs';
import { BaseCommand } from '../../src/cli/base-command.js';
import { eventTypesFlag, lastFlag, mailboxFlag, sinceFlag, timeWindow, untilFlag, pathFlag } from '../../src/cli/flags.js';
import { readAll, replaySource } from '../../src/app/replay.js';
import { replaySourceDeps } from '../../src/cli/wiring.js';
import { openForWriting, plural, writeLines } from '../../src/cli/output.js';

export default class EventsExport extends BaseCommand {
  static summary = 'Export events as NDJSON (one envelope per line): the format "replay --file" reads.';
  static storeAccess = 'read' as const;
  static examples = ['<%= config.bin %> events export --last 1h > events.jsonl', '<%= config.bin %> events export --events message.* --output fixtures/events.jsonl'];
  static description = 'Commit the file to your repository to replay the same events in tests and CI. The output is JSON already (NDJSON); --json is accepted and, with --output, prints {"count","file"} on stdout.';
  static flags = {
    since: sinceFlag, until: untilFlag, last: lastFlag, mailbox: mailboxFlag, events: eventTypesFlag,
    output: pathFlag({ char: 'o', description: 'Write to this file instead of stdout.', helpValue: 'FILE' }),
  };

  async run() {
    const { flags } = await this.parse(EventsExport);
    const window = timeWindow(flags, Date.now());
    const { source } = await replaySource(await replaySourceDeps(this.ctx), { source: { kind: 'window', since: window.since ?? 0, until: window.until }, mailbox: flags.mailbox, events: flags.events });
    const stream = flags.output ? fs.createWriteStream('', { fd: openForWriting(flags.output, '--output') }) : process.stdout;
    const count = await writeLines(stream, (async function* () {
      for await (const event of readAll(source)) yield event.body;
    })());
    if (flags.output) await new Promise((resolve, reject) => (stream as fs.WriteStream).end((error?: Error | null) => (error ? reject(error) : resolve(undefined))));
    process.stderr.write(`Exported ${plural(count, 'event')}${flags.output ? ` to ${flags.output}` : ''}.\n`);
    // On stdout the NDJSON lines are the JSON output; a summary object there would corrupt them.
    return flags.output ? { count, file: flags.output } : undefined;
  }
}
