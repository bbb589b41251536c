import { Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { eventTypesFlag, mailboxFlag, integerFlag, MAX_LIMIT, MAX_TIMER_SECONDS, MAX_IN_FLIGHT, webhookUrlFlag, timeFlag, headersFlag, durationFlag } from '../src/cli/flags.js';
import { interruptSignal, listenDeps, mailboxCount, signingSecret } from '../src/cli/services.js';
import { runningDaemonClient } from '../src/cli/services-daemon.js';
import { renderForwardRecord, renderListenReady } from '../src/cli/render-delivery.js';
import { createLineWriter } from '../src/cli/line-writer.js';
import { listenOutcomeError } from '../src/app/listen-outcome.js';
import { listen, type StartPosition } from '../src/app/listen.js';
import { parseCustomHeaders } from '../src/core/webhook-target.js';
import { parseDuration, parseTime } from '../src/core/durations.js';
import { ExitCode, MailmonError } from '../src/core/errors.js';

export default class Listen extends BaseCommand {
  static summary = 'Forward events to your local app as signed webhooks, live, never losing one.';
  static description = 'Catches up from its durable cursor, then forwards new events as they are committed. Failed POSTs are retried (per thread, in order) without losing their place; a restart resumes where it stopped. When no daemon is running it also keeps the mailboxes in sync in this process.';
  static examples = [
    '<%= config.bin %> listen --forward-to http://localhost:3000/webhooks/mailmon',
    '<%= config.bin %> listen --forward-to http://localhost:3000/hook --events message.* --headers "Authorization:Bearer dev"',
    '<%= config.bin %> listen --forward-to http://127.0.0.1:3000/hook --from-start --exit-after 5 --timeout 60 --json',
    '<%= config.bin %> listen --print-secret',
  ];
  static flags = {
    'forward-to': webhookUrlFlag({ char: 'f', description: 'URL to POST events to.', helpValue: 'URL' }),
    name: Flags.string({ description: 'Consumer name for the durable cursor (default: derived from the URL).' }),
    'from-start': Flags.boolean({ description: 'Start from the first event in the log.', exclusive: ['from-now', 'since'] }),
    'from-now': Flags.boolean({ description: 'Start from now, skipping anything older (the default for a new consumer).', exclusive: ['from-start', 'since'] }),
    since: timeFlag({ description: 'Start from events at or after this time (ISO, date, or a duration ago like 1h).', helpValue: 'TIME', exclusive: ['from-start', 'from-now'] }),
    events: eventTypesFlag,
    mailbox: mailboxFlag,
    headers: headersFlag({ description: 'Extra request headers, "K:V,K2:V2".', helpValue: 'K:V,..' }),
    secret: Flags.string({ description: 'Signing secret (whsec_…); default MAILMON_WEBHOOK_SECRET, else one generated for this home.' }),
    'print-secret': Flags.boolean({ description: 'Print the signing secret and exit.' }),
    'max-in-flight': integerFlag({ description: 'Concurrent deliveries (threads run concurrently; each thread stays in order).', default: 16, min: 1, max: MAX_IN_FLIGHT }),
    'poll-interval': durationFlag({ description: 'How often to sync when syncing in-process (default: config poll-interval).', helpValue: 'DURATION' }),
    'no-sync': Flags.boolean({ description: 'Only forward; do not sync mailboxes in this process.' }),
    'exit-after': integerFlag({ description: 'Exit after this many events were delivered (CI).', min: 1, max: MAX_LIMIT }),
    timeout: integerFlag({ description: 'Exit after this many seconds (CI); non-zero if --exit-after was not reached.', min: 1, max: MAX_TIMER_SECONDS }),
    'show-response': Flags.boolean({ description: "Print each response's body." }),
  };

  async run() {
    const { flags } = await this.parse(Listen);
    // Refuse a bad command line before anything is written (signingSecret may create the home's secret).
    if (!flags['forward-to'] && !flags['print-secret']) throw new MailmonError('usage', 'Missing --forward-to URL.', { hint: 'Example: mailmon listen --forward-to http://localhost:3000/webhooks' });
    const secret = await signingSecret(this.ctx, flags.secret);
    const url = flags['forward-to'];
    if (flags['print-secret'] || url === undefined) {
      this.out(secret.secret);
      return { secret: secret.secret };
    }
    const start: StartPosition = flags['from-start'] ? { kind: 'start' } : flags['from-now'] ? { kind: 'now' } : flags.since ? { kind: 'since', at: parseTime(flags.since, Date.now(), '--since') } : { kind: 'resume' };
    const daemon = runningDaemonClient(this.ctx);
    const syncInProcess = !flags['no-sync'] && !daemon && (await mailboxCount(this.ctx)) > 0;
    const { deps, close } = await listenDeps(this.ctx, { sync: syncInProcess, pollIntervalMs: flags['poll-interval'] ? parseDuration(flags['poll-interval'], '--poll-interval') : undefined, maxInFlight: flags['max-in-flight'], userAgent: `mailmon/${this.config.version}` });
    const json = this.jsonEnabled();
    const output = createLineWriter();
    let result;
    try {
      result = await listen(deps, {
        url, name: flags.name, start, events: flags.events, mailbox: flags.mailbox, headers: flags.headers ? parseCustomHeaders(flags.headers) : {}, secret: secret.secret,
        maxInFlight: flags['max-in-flight'], exitAfter: flags['exit-after'], timeoutSeconds: flags.timeout, showResponse: flags['show-response'], signal: interruptSignal(),
        onReady: (info) => process.stderr.write(renderListenReady({ ...info, syncing: syncInProcess, daemonPid: daemon?.pid ?? null, intervalMs: deps.sync?.intervalMs ?? null, url, secret: secret.secret })),
        onRecord: (record) => output.line(json ? JSON.stringify(record) : renderForwardRecord(record, url, this.color)),
        onSyncError: (mailbox, error) => process.stderr.write(`Sync of ${mailbox.emailAddress} failed: ${(error as Error).message}\n`),
      });
    } finally {
      output.flush();
      await close();
    }
    const failure = listenOutcomeError(result, { exitAfter: flags['exit-after'], timeoutSeconds: flags.timeout });
    if (failure) throw failure;
    if (!json) this.note(`Stopped: ${result.delivered} delivered.`);
    if (json) this.exit(ExitCode.ok);
    return result;
  }
}
