import fs from 'node:fs';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { SKIP_VERIFY_WARNING, eventTypesFlag, mailboxFlag, integerFlag, pathFlag, MAX_IN_FLIGHT, durationFlag, skipVerifyFlag, timeFlag, webhookUrlFlag } from '../src/cli/flags.js';
import { confirm, interruptSignal, replayDeps, replaySourceDeps, replayTarget } from '../src/cli/wiring.js';
import type { EventSource, ForwardTarget } from '../src/app/forward-events.js';
import { renderForwardRecord } from '../src/cli/render-delivery.js';
import { openForWriting, plural, writeLines } from '../src/cli/output.js';
import { createLineWriter } from '../src/cli/line-writer.js';
import { readAll, replayOutcomeError, replaySource, replayToUrl, writeEvents, type ReplaySource } from '../src/app/replay.js';
import { parseDuration, parseTime } from '../src/core/durations.js';
import { MailmonError } from '../src/core/errors.js';
import { validateTargetUrl } from '../src/core/webhook-target.js';

const CONFIRM_ABOVE = 10_000;

export default class Replay extends BaseCommand {
  static summary = 'Re-send a window of events (or an exported file) with fresh signatures and the same event ids.';
  static description = 'Sends in sequence order with the same retry and per-thread ordering rules as listen. Never moves sync or listen cursors.';
  static examples = [
    '<%= config.bin %> replay --last 1h --forward-to http://localhost:3000/hook',
    '<%= config.bin %> replay --since 2026-05-04T10:00:00Z --until 2026-05-04T11:00:00Z --events message.* --forward-to http://localhost:3000/hook',
    '<%= config.bin %> replay --file events.jsonl --forward-to http://127.0.0.1:3000/hook',
    '<%= config.bin %> replay --last 1d --output events.jsonl',
    '<%= config.bin %> replay --last 2h --endpoint whe_01h455vb4pex5vsknk084sn02q',
    '<%= config.bin %> replay --last 30m --dry-run',
  ];
  static flags = {
    last: durationFlag({ description: 'Replay the last period, e.g. 1h, 30m, 2d.', helpValue: 'DURATION', exactlyOne: ['last', 'since', 'file'] }),
    since: timeFlag({ description: 'Replay from this time (ISO timestamp, date, or a duration ago).', helpValue: 'TIME', exactlyOne: ['last', 'since', 'file'] }),
    until: timeFlag({ description: 'Replay up to this time.', helpValue: 'TIME' }),
    file: pathFlag({ description: 'Replay an NDJSON file written by "mailmon events export".', helpValue: 'FILE', exactlyOne: ['last', 'since', 'file'] }),
    mailbox: mailboxFlag,
    events: eventTypesFlag,
    'forward-to': webhookUrlFlag({ char: 'f', description: 'POST the events to this URL.', helpValue: 'URL', exclusive: ['output', 'endpoint'] }),
    endpoint: Flags.string({ description: 'Re-send to a registered endpoint (whe_…) with its own secret, scheme and headers.', helpValue: 'ID', exclusive: ['output', 'forward-to'] }),
    output: pathFlag({ char: 'o', description: 'Write the events as NDJSON to this file ("-" for stdout) instead of sending.', helpValue: 'FILE|-', exclusive: ['forward-to', 'endpoint'] }),
    'dry-run': Flags.boolean({ description: 'List what would be sent, send nothing.' }),
    secret: Flags.string({ description: 'Signing secret (default: MAILMON_WEBHOOK_SECRET, else the home\'s listen secret).' }),
    'max-in-flight': integerFlag({ description: 'Concurrent deliveries.', default: 16, min: 1, max: MAX_IN_FLIGHT }),
    'max-attempts': integerFlag({ description: 'Attempts per event before counting it failed (a 4xx other than 408, 409, 425, 429 is final at once).', default: 5, min: 1, max: 100 }),
    'show-response': Flags.boolean({ description: "Print each response's body." }),
    'skip-verify': skipVerifyFlag,
    yes: Flags.boolean({ char: 'y', description: `Do not ask before replaying more than ${CONFIRM_ABOVE.toLocaleString('en')} events.` }),
  };

  async run() {
    const { flags } = await this.parse(Replay);
    if (!flags['forward-to'] && !flags.endpoint && flags.output === undefined && !flags['dry-run']) throw new MailmonError('usage', 'Say where to replay to.', { hint: 'Pass --forward-to URL, --endpoint ID, --output FILE (or -), or --dry-run.' });
    const target = flags['forward-to'] ? validateTargetUrl(flags['forward-to']).toString() : undefined;
    const now = Date.now();
    const source: ReplaySource = flags.file ? { kind: 'file', path: flags.file } : { kind: 'window', since: flags.last ? now - parseDuration(flags.last, '--last') : parseTime(flags.since!, now, '--since'), until: flags.until ? parseTime(flags.until, now, '--until') : undefined };
    const selection = await replaySource(await replaySourceDeps(this.ctx), { source, mailbox: flags.mailbox, events: flags.events });
    if (flags['dry-run']) return this.dryRun(selection.source, selection.count, target);
    if (flags.output !== undefined) {
      const written = flags.output === '-' ? await writeLines(process.stdout, (async function* () {
        for await (const event of readAll(selection.source)) yield event.body;
      })()) : await this.writeFile(flags.output, selection.source);
      this.note(`Wrote ${plural(written, 'event')}${flags.output === '-' ? '' : ` to ${flags.output}`}.`);
      return { selected: selection.count, written };
    }
    const destination = await replayTarget(this.ctx, { url: target, endpoint: flags.endpoint, secret: flags.secret });
    if (selection.count > CONFIRM_ABOVE && !flags.yes && process.stdin.isTTY && !(await confirm(`Replay ${selection.count.toLocaleString('en')} events to ${destination.url}?`))) {
      throw new MailmonError('interrupted', 'Replay cancelled; nothing was sent.', { hint: 'Narrow the window, or pass --yes.' });
    }
    return this.send(flags, destination, selection);
  }

  private async dryRun(source: EventSource, count: number, target: string | undefined) {
    const events = [];
    for await (const event of readAll(source)) events.push({ sequence: event.sequence, id: event.id, type: event.type, occurredAt: new Date(event.occurredAt).toISOString() });
    if (!this.jsonEnabled()) for (const event of events) this.out(`${event.occurredAt}  ${event.type.padEnd(22)} ${event.id}`);
    this.note(`Would send ${plural(count, 'event')}${target ? ` to ${target}` : ''}.`);
    return { selected: count, sent: 0, rejected: 0, failed: 0, skipped: count, dryRun: true, events };
  }

  private async writeFile(file: string, source: EventSource): Promise<number> {
    const fd = openForWriting(file, '--output');
    try {
      return await writeEvents(source, (chunk) => fs.writeSync(fd, chunk));
    } finally {
      fs.closeSync(fd);
    }
  }

  private async send(flags: { 'max-in-flight': number; 'max-attempts': number; 'show-response': boolean; 'skip-verify': boolean }, destination: ForwardTarget, selection: Awaited<ReturnType<typeof replaySource>>) {
    const target = destination.url;
    const { deps, close } = await replayDeps(this.ctx, { maxInFlight: flags['max-in-flight'], userAgent: `mailmon/${this.config.version}`, skipTlsVerify: flags['skip-verify'] });
    if (flags['skip-verify']) process.stderr.write(SKIP_VERIFY_WARNING);
    const json = this.jsonEnabled();
    // Decided once: reading the environment per record showed up in profiles.
    const color = this.color;
    const output = createLineWriter();
    this.note(`Replaying ${plural(selection.count, 'event')} to ${target} (same event ids, fresh signatures).`);
    let summary;
    try {
      summary = await replayToUrl(deps, {
        source: selection.source, count: selection.count, target: destination, maxInFlight: flags['max-in-flight'], maxAttempts: flags['max-attempts'], showResponse: flags['show-response'], signal: interruptSignal(),
        onRecord: (record) => output.line(json ? JSON.stringify(record) : renderForwardRecord(record, target, color)),
      });
    } finally {
      output.flush();
      await close();
    }
    if (json) process.stdout.write(`${JSON.stringify({ type: 'summary', ...summary })}\n`);
    this.note(`Replay done: ${summary.sent} sent, ${summary.rejected} rejected, ${summary.failed} failed, ${summary.skipped} skipped.`);
    const failure = replayOutcomeError(summary, target);
    if (failure) throw failure;
    if (json) this.exit(0);
    return summary;
  }
}
