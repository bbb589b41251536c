/**
 * While a full sync runs (initial, requested, or a resync after history expired) the heap's
 * growth is narrowed, and released when it ends, also when it fails; an incremental sync leaves
 * it alone. Without it a full sync's peak memory grows with the mailbox (V8 lets old space fill
 * with the committed pages' states).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { syncDeps } from '../../src/cli/wiring.js';
import { limitHeapGrowth } from '../../src/adapters/system/heap.js';
import type { GmailPort } from '../../src/adapters/gmail/gmail-api.js';

let harness: SyncHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** A limiter that records, at each hold and release, how many messages the store had. */
function recordingLimiter(h: SyncHarness) {
  const log: string[] = [];
  const limit = () => {
    log.push(`hold at ${h.localSnapshot().length}`);
    return () => log.push(`release at ${h.localSnapshot().length}`);
  };
  return { log, limit };
}

describe('heap growth during a sync', () => {
  it('a full sync holds the limit from before its first page until after its last commit', async () => {
    harness = await startSyncHarness({ mailboxes: [{ generate: { messages: 700, seed: 5 } }] });
    const { log, limit } = recordingLimiter(harness);
    const summary = await harness.sync({ deps: { limitHeapGrowth: limit } });
    expect(summary.created).toBe(700);
    expect(log).toEqual(['hold at 0', 'release at 700']);
  });

  it('an incremental sync leaves it alone; a requested full sync holds it again', async () => {
    harness = await startSyncHarness({ mailboxes: [{ generate: { messages: 30, seed: 5 } }] });
    await harness.sync();
    const [first] = await harness.serverSnapshot();
    await harness.server.control.modify({ mailbox: harness.emailAddress, id: first!.id, addLabelIds: ['STARRED'], removeLabelIds: ['INBOX'] });
    const { log, limit } = recordingLimiter(harness);
    const incremental = await harness.sync({ deps: { limitHeapGrowth: limit } });
    expect(incremental.kind).toBe('incremental');
    expect(log).toEqual([]);
    await harness.sync({ full: true, deps: { limitHeapGrowth: limit } });
    expect(log).toEqual(['hold at 30', 'release at 30']);
  });

  it('a full sync that fails releases it', async () => {
    harness = await startSyncHarness({ mailboxes: [{ generate: { messages: 30, seed: 5 } }] });
    const { log, limit } = recordingLimiter(harness);
    const failing = (port: GmailPort): GmailPort => ({ ...port, stats: port.stats, listMessageIds: () => Promise.reject(new Error('listing failed')) });
    await expect(harness.sync({ deps: { limitHeapGrowth: limit }, wrapGmail: failing })).rejects.toThrow('listing failed');
    expect(log).toEqual(['hold at 0', 'release at 0']);
  });

  it('the CLI and daemon wiring narrow V8\'s own growing factor', async () => {
    harness = await startSyncHarness({ mailboxes: [{ generate: { messages: 1 } }] });
    const deps = await syncDeps(harness.ctx, {});
    expect(deps.limitHeapGrowth).toBe(limitHeapGrowth);
  });
});
