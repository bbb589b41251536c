/** A nudge that arrives while the mailbox is syncing must not be lost: another sync follows at once. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runSyncLoop } from '../../src/app/sync-loop.js';
import type { SyncSummary } from '../../src/app/sync-mailbox.js';
import { syncDeps } from '../../src/cli/wiring.js';
import { NudgeSource } from '../../src/daemon/sync-service.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';

let harness: SyncHarness | undefined;
afterEach(async () => harness?.close());

describe('runSyncLoop nudges', () => {
  it('runs another sync after one that was nudged mid-way, long before the interval', async () => {
    harness = await startSyncHarness({ mailboxes: [{ generate: { messages: 5 } }] });
    await harness.sync();
    const nudges = new NudgeSource();
    const controller = new AbortController();
    const synced: SyncSummary[] = [];
    const deps = await syncDeps(harness.ctx, { unitsPerSecond: null });
    await harness.server.control.setFaults({ latencyMs: 150 });
    const loop = runSyncLoop({ deps, intervalMs: 60_000, signal: controller.signal, nudges, onSynced: (summary) => synced.push(summary) });
    try {
      // The loop's first sync is under way (slow Gmail: it holds the lease); a nudge arrives mid-sync.
      const leaseFile = path.join(harness.ctx.home.leases, `${harness.mailboxId}.lease`);
      while (!fs.existsSync(leaseFile)) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(synced).toHaveLength(0);
      nudges.nudge(harness.mailboxId);
      const deadline = Date.now() + 5_000;
      while (synced.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      // Without the nudge the next sync would be a minute away.
      expect(synced.length).toBe(2);
    } finally {
      controller.abort();
      await loop;
      await harness.server.control.clearFaults();
    }
  });

  it('with `owns` (a daemon sharing the store), polls only the mailboxes of its share', async () => {
    harness = await startSyncHarness({ mailboxes: [{ generate: { messages: 2 } }] });
    const share = new Set<string>();
    const nudges = new NudgeSource();
    const controller = new AbortController();
    const synced: string[] = [];
    const deps = await syncDeps(harness.ctx, { unitsPerSecond: null });
    const loop = runSyncLoop({ deps, intervalMs: 60_000, signal: controller.signal, nudges, owns: (mailboxId) => share.has(mailboxId), onSynced: (summary) => synced.push(summary.mailboxId) });
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(synced).toEqual([]);
      // Claimed: the share service nudges it.
      share.add(harness.mailboxId);
      nudges.nudge(harness.mailboxId);
      const deadline = Date.now() + 5_000;
      while (synced.length < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(synced).toEqual([harness.mailboxId]);
    } finally {
      controller.abort();
      await loop;
    }
  });
});
