/**
 * The daemon's fair share on a store several daemons use: ticks the MailboxShare every
 * heartbeat (membership heartbeat, claim or give back leases), and nudges the sync loop for
 * every mailbox it claimed so it is synced at once. A failed tick is retried on the next one;
 * a store out of reach is logged once when it goes and once when it is back (with how long it
 * was gone). The held leases expire on their own if the daemon stays cut off, and the epoch
 * fences any late commit.
 */
import type { Clock } from '../app/ports/clock.js';
import type { MailboxShare, ShareChange } from '../app/mailbox-share.js';
import { isStoreOutage } from '../core/errors.js';
import type { Logger } from '../core/log-entry.js';
import type { Service } from './service.js';

export interface ShareServiceOptions {
  share: MailboxShare;
  clock: Clock;
  logger: Logger;
  heartbeatMs: number;
  /**
   * How long to wait between announcing this daemon and its first claim, so daemons started
   * together count each other and split the mailboxes from the start (0: claim at once).
   */
  joinMs?: number;
  onClaimed: (mailboxId: string) => void;
}

export class ShareService implements Service {
  readonly id = 'share';
  constructor(private readonly options: ShareServiceOptions) {}

  /** When the store became unreachable (null: reachable). */
  private unreachableSince: number | null = null;

  async run(signal: AbortSignal): Promise<void> {
    const { share, clock, heartbeatMs } = this.options;
    // Without this, a daemon whose first round sees only itself claims nearly every mailbox and
    // gives the excess back a heartbeat later, while the daemons started with it sit idle.
    await share.announce().catch((error: unknown) => this.failed(error));
    await clock.sleep(this.options.joinMs ?? 0, signal);
    while (!signal.aborted) {
      try {
        const change = await share.tick();
        this.reachable();
        this.report(change);
      } catch (error) {
        this.failed(error);
      }
      await clock.sleep(heartbeatMs, signal);
    }
  }

  /** One warning when the store goes out of reach, one line when it is back: not one per heartbeat. */
  private failed(error: unknown): void {
    const { logger, clock } = this.options;
    const code = (error as { code?: string })?.code;
    const message = (error as Error)?.message ?? String(error);
    if (!isStoreOutage(error)) {
      logger.warn('share heartbeat failed', { error: message, code });
      return;
    }
    if (this.unreachableSince !== null) return;
    this.unreachableSince = clock.now();
    logger.warn('store unreachable: the daemon keeps running and retries; syncs and deliveries resume when it is back', { error: message, code, hint: (error as { hint?: string })?.hint });
  }

  private reachable(): void {
    if (this.unreachableSince === null) return;
    this.options.logger.info('store reachable again', { downMs: this.options.clock.now() - this.unreachableSince });
    this.unreachableSince = null;
  }

  async stop(): Promise<void> {}

  private report(change: ShareChange): void {
    for (const mailboxId of change.claimed) this.options.onClaimed(mailboxId);
    if (change.claimed.length + change.released.length + change.lost.length === 0) return;
    this.options.logger.info('share changed', { share: change.share, liveDaemons: change.liveDaemons, claimed: change.claimed, released: change.released, lost: change.lost });
  }
}
