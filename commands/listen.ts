import { Flags, type Interfaces } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { SKIP_VERIFY_WARNING, eventTypesFlag, mailboxFlag, integerFlag, MAX_LIMIT, MAX_TIMER_SECONDS, MAX_IN_FLIGHT, skipVerifyFlag, webhookUrlFlag, timeFlag, headersFlag, durationFlag } from '../src/cli/flags.js';
import { interruptSignal, listenConsumer, listenDeps, mailboxCount, signingSecret } from '../src/cli/wiring.js';
import { runningDaemonClient } from '../src/cli/wiring-daemon.js';
import { renderForwardRecord, renderListenReady } from '../src/cli/render-delivery.js';
import { createLineWriter } from '../src/cli/line-writer.js';
import { renderPrintNote, renderPrintedEvent } from '../src/cli/render-listen-print.js';
import { printEvents } from '../src/app/listen-print.js';
import { listenOutcomeError, listenSummary } from '../src/app/listen-outcome.js';
import { listen, type ListenConsumer, type StartPosition } from '../src/app/listen.js';
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
    '<%= config.bin %> listen --forward-to https://localhost:3443/hook --skip-verify',
    '<%= config.bin %> listen',
    '<%= config.bin %> listen --print-secret',
  ];
  static flags = {
    'forward-to': webhookUrlFlag({ char: 'f', description: 'URL to POST events to (without it, listen prints the events, like tail).', helpValue: 'URL' }),
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
    'skip-verify': skipVerifyFlag,
  };

  async run() {
    const { flags } = await this.parse(Listen);
    const url = flags['forward-to'];
    if (flags['print-secret']) {
      const secret = await signingSecret(this.ctx, flags.secret);
      this.out(secret.secret);
      return { secret: secret.secret };
    }
    // "From now" is when the command was invoked: fix the position before anything slow.
    const start: StartPosition = flags['from-start'] ? { kind: 'start' } : flags['from-now'] ? { kind: 'now' } : flags.since ? { kind: 'since', at: parseTime(flags.since, Date.now(), '--since') } : { kind: 'resume' };
    // Ctrl-C is listen's normal end (exit 0): handle it before the banner says "Ready!" (src/cli/interrupt.ts).
    const signal = interruptSignal();
    // Like "stripe listen": without a URL, print the events instead of forwarding them.
    if (url === undefined) return this.printEvents(flags, start, signal);
    const consumer = await listenConsumer(this.ctx, { url, name: flags.name, start, events: flags.events, mailbox: flags.mailbox });
    const json = this.jsonEnabled();
    // Decided once: reading the environment per record showed up in profiles.
    const color = this.color;
    const output = createLineWriter();
    let result;
    try {
      const { deps, close, ready } = await this.prepare(flags, consumer);
      if (json) process.stdout.write(`${JSON.stringify({ type: 'ready', ...ready, consumer: consumer.name, startAfter: consumer.startAfter, resumed: consumer.resumed, backlog: consumer.backlog })}\n`);
      process.stderr.write(renderListenReady({ ...ready, backlog: consumer.backlog, consumer: consumer.name }));
      try {
        result = await listen(deps, {
          consumer, events: flags.events, mailbox: flags.mailbox, headers: flags.headers ? parseCustomHeaders(flags.headers) : {}, secret: ready.secret,
          maxInFlight: flags['max-in-flight'], exitAfter: flags['exit-after'], timeoutSeconds: flags.timeout, showResponse: flags['show-response'], signal,
          onRecord: (record) => output.line(json ? JSON.stringify(record) : renderForwardRecord(record, url, color)),
          onSyncError: (mailbox, error) => process.stderr.write(`Sync of ${mailbox.emailAddress} failed: ${(error as Error).message}\n`),
        });
      } finally {
        output.flush();
        await close();
      }
    } finally {
      await consumer.release();
    }
    if (json) process.stdout.write(`${JSON.stringify({ type: 'summary', ...listenSummary(result) })}\n`);
    const failure = listenOutcomeError(result, { exitAfter: flags['exit-after'], timeoutSeconds: flags.timeout, url });
    if (failure) throw failure;
    this.note(`Stopped: ${result.delivered} delivered${result.rejected > 0 ? `, ${result.rejected} rejected by the app` : ''}.`);
    if (json) this.exit(ExitCode.ok);
    return result;
  }

  /** The slow part, after the position is fixed: the secret, the daemon check, the HTTP sender, in-process sync. */
  private async prepare(flags: { secret?: string; 'no-sync': boolean; 'poll-interval'?: string; 'max-in-flight': number; 'forward-to'?: string; 'skip-verify': boolean }, consumer: ListenConsumer) {
    const secret = await signingSecret(this.ctx, flags.secret);
    const daemon = runningDaemonClient(this.ctx);
    const syncing = !flags['no-sync'] && !daemon && (await mailboxCount(this.ctx)) > 0;
    const { deps, close } = await listenDeps(this.ctx, { sync: syncing, pollIntervalMs: flags['poll-interval'] ? parseDuration(flags['poll-interval'], '--poll-interval') : undefined, maxInFlight: flags['max-in-flight'], userAgent: `mailmon/${this.config.version}`, skipTlsVerify: flags['skip-verify'] });
    if (flags['skip-verify']) process.stderr.write(SKIP_VERIFY_WARNING);
    return { deps, close, ready: { url: consumer.url, secret: secret.secret, syncing, daemonPid: daemon?.pid ?? null, intervalMs: deps.sync?.intervalMs ?? null } };
  }

  /** Without --forward-to: print each event (NDJSON under --json), like tail, with a one-line note on stderr. */
  private async printEvents(flags: Interfaces.InferredFlags<typeof Listen.flags>, start: StartPosition, signal: AbortSignal) {
    const daemon = runningDaemonClient(this.ctx);
    const syncing = !flags['no-sync'] && !daemon && (await mailboxCount(this.ctx)) > 0;
    const { deps, close } = await listenDeps(this.ctx, { sync: syncing, pollIntervalMs: flags['poll-interval'] ? parseDuration(flags['poll-interval'], '--poll-interval') : undefined, maxInFlight: 1, userAgent: `mailmon/${this.config.version}` });
    const json = this.jsonEnabled();
    const color = this.color;
    process.stderr.write(renderPrintNote({ syncing, daemonPid: daemon?.pid ?? null }));
    const output = createLineWriter();
    let result;
    try {
      result = await printEvents(deps, {
        start, invokedAt: Math.floor(performance.timeOrigin), events: flags.events, mailbox: flags.mailbox, exitAfter: flags['exit-after'], timeoutSeconds: flags.timeout, signal,
        onEvent: (event) => output.line(json ? JSON.stringify(event) : renderPrintedEvent(event, color)),
        onSyncError: (mailbox, error) => process.stderr.write(`Sync of ${mailbox.emailAddress} failed: ${(error as Error).message}\n`),
      });
    } finally {
      output.flush();
      await close();
    }
    if (result.timedOut && flags['exit-after'] !== undefined) throw new MailmonError('timeout', `Timed out after ${flags.timeout}s with ${result.printed} of ${flags['exit-after']} event(s) printed.`, { hint: 'Is a mailbox syncing (daemon, or this listen without --no-sync)? Cause a change with "mailmon trigger message.created".' });
    if (json) this.exit(ExitCode.ok);
    return result;
  }
}
