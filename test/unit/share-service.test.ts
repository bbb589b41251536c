/** The share service's log while the store is out of reach: one warning when it goes, one line when it is back. */
import { describe, expect, it } from 'vitest';
import type { MailboxShare, ShareChange } from '../../src/app/mailbox-share.js';
import { MailmonError } from '../../src/core/errors.js';
import { ShareService } from '../../src/daemon/share-service.js';

describe('ShareService while the store is out of reach', () => {
  it('warns once with the hint, stays quiet while it retries, and says when the store is back and for how long', async () => {
    const lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
    const logger = Object.fromEntries(['debug', 'info', 'warn', 'error'].map((level) => [level, (msg: string, fields?: Record<string, unknown>) => lines.push({ level, msg, fields })])) as never;
    let now = 0;
    let ticks = 0;
    const controller = new AbortController();
    const share = {
      announce: async () => undefined,
      tick: async (): Promise<ShareChange> => {
        ticks += 1;
        if (ticks >= 6) controller.abort();
        if (ticks <= 4) throw new MailmonError('store_unreachable', 'Cannot connect to the PostgreSQL store at postgres://db/mailmon.', { hint: 'Check that PostgreSQL runs there.' });
        return { share: 1, liveDaemons: 1, claimed: [], released: [], lost: [] };
      },
    } as unknown as MailboxShare;
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    await new ShareService({ share, clock, logger, heartbeatMs: 1_000, onClaimed: () => undefined }).run(controller.signal);
    expect(lines.map((line) => `${line.level} ${line.msg}`)).toEqual([
      'warn store unreachable: the daemon keeps running and retries; syncs and deliveries resume when it is back',
      'info store reachable again',
    ]);
    expect(lines[0].fields).toMatchObject({ code: 'store_unreachable', hint: 'Check that PostgreSQL runs there.' });
    expect(lines[1].fields).toEqual({ downMs: 4_000 });
  });

  it('announces itself, waits the join period, then claims: daemons started together split the mailboxes', async () => {
    const calls: string[] = [];
    const controller = new AbortController();
    const share = {
      announce: async () => void calls.push('announce'),
      tick: async (): Promise<ShareChange> => {
        calls.push('tick');
        controller.abort();
        return { share: 1, liveDaemons: 2, claimed: [], released: [], lost: [] };
      },
    } as unknown as MailboxShare;
    const clock = { now: () => 0, sleep: async (ms: number) => void calls.push(`sleep ${ms}`) };
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as never;
    await new ShareService({ share, clock, logger, heartbeatMs: 10_000, joinMs: 2_000, onClaimed: () => undefined }).run(controller.signal);
    expect(calls.slice(0, 3)).toEqual(['announce', 'sleep 2000', 'tick']);
  });
});
