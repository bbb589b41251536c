/**
 * The daemon's fair share on a store several daemons use: ticks the MailboxShare every
 * heartbeat (membership heartbeat, claim or give back leases), and nudges the sync loop for
 * every mailbox it claimed so it is synced at once. A failed tick (database unreachable for a
 * moment) is logged and retried on the next one; the held leases expire on their own if the
 * daemon stays cut off, and the epoch fences any late commit.
 */
import type { Clock } from '../app/ports/clock.js';
import type { MailboxShare, ShareChange } from '../app/mailbox-share.js';
import type { Logger } from '../core/log-entry.js';
import type { Service } from './service.js';

export interface ShareServiceOptions {
  share: MailboxShare;
  clock: Clock;
  logger: Logger;
  heartbeatMs: number;
  onClaimed: (mailboxId: string) => void;
}

export class ShareService implements Service {
  readonly id = 'share';
  constructor(private readonly options: ShareServiceOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    const { share, clock, logger, heartbeatMs } = this.options;
    while (!signal.aborted) {
      try {
        this.report(await share.tick());
      } catch (error) {
        logger.warn('share heartbeat failed', { error: (error as Error)?.message ?? String(error), code: (error as { code?: string })?.code });
      }
      await clock.sleep(heartbeatMs, signal);
    }
  }

  async stop(): Promise<void> {}

  private report(change: ShareChange): void {
    for (const mailboxId of change.claimed) this.options.onClaimed(mailboxId);
    if (change.claimed.length + change.released.length + change.lost.length === 0) return;
    this.options.logger.info('share changed', { share: change.share, liveDaemons: change.liveDaemons, claimed: change.claimed, released: change.released, lost: change.lost });
  }
}
