/**
 * The access token outlives a sync: the daemon's sync loop syncing one mailbox again and again asks
 * the token endpoint once, not once per sync (Google rate-limits token requests). An access token
 * Gmail no longer accepts (401) costs exactly one refresh, then the sync succeeds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runSyncLoop } from '../../src/app/sync-loop.js';
import { syncMailbox, type SyncSummary } from '../../src/app/sync-mailbox.js';
import { syncDeps } from '../../src/cli/wiring.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';

let harness: SyncHarness | undefined;
afterEach(async () => harness?.close());

async function tokenRequests(h: SyncHarness): Promise<number> {
  return (await h.server.control.requests()).filter((request) => request.path === '/token').length;
}

describe('access tokens', () => {
  it('a sync loop syncing one mailbox 6 times makes 1 token request, not 6', async () => {
    harness = await startSyncHarness({ mailboxes: [{ generate: { messages: 5 } }] });
    await harness.server.control.clearRequests();
    const deps = await syncDeps(harness.ctx, { unitsPerSecond: null });
    const controller = new AbortController();
    const synced: SyncSummary[] = [];
    const loop = runSyncLoop({
      deps,
      intervalMs: 30,
      jitter: 0,
      signal: controller.signal,
      onSynced: (summary) => {
        synced.push(summary);
        // The mailbox changes between syncs, so they talk to Gmail for real.
        if (synced.length < 6) void harness!.server.control.send({ subject: `between ${synced.length}` });
        else controller.abort();
      },
    });
    await loop;
    expect(synced.length).toBeGreaterThanOrEqual(6);
    expect(synced.slice(0, 6).map((summary) => summary.kind)).toContain('incremental');
    expect(await tokenRequests(harness)).toBe(1);
  });

  it('an access token Gmail rejects (401) triggers exactly one refresh, then the sync succeeds', async () => {
    let skewMs = 0;
    // The fixture's clock: jumping it past the token's lifetime makes Gmail reject a token the client still trusts.
    harness = await startSyncHarness({ mailboxes: [{ generate: { messages: 5 } }], now: () => Date.now() + skewMs });
    const deps = await syncDeps(harness.ctx, { unitsPerSecond: null });
    await syncMailbox(deps, { mailboxId: harness.mailboxId });
    await harness.server.control.clearRequests();
    skewMs = 2 * 3600_000;
    await harness.server.control.send({ subject: 'after the token expired' });
    const summary = await syncMailbox(deps, { mailboxId: harness.mailboxId });
    expect(summary).toMatchObject({ kind: 'incremental', created: 1 });
    const requests = await harness.server.control.requests();
    expect(requests.filter((request) => request.path === '/token')).toHaveLength(1);
    expect(requests.filter((request) => request.status === 401)).toHaveLength(1);
    // And the refreshed token is kept for the next sync.
    await harness.server.control.clearRequests();
    await syncMailbox(deps, { mailboxId: harness.mailboxId });
    expect(await tokenRequests(harness)).toBe(0);
  });
});
