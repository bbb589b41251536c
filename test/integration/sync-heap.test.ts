/**
 * A full sync collects garbage between pages every `heap.everyMessages` listed messages (its
 * peak memory then does not grow with the mailbox), only once the page before is committed;
 * an incremental sync, a single commit, never does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { syncDeps } from '../../src/cli/wiring.js';
import { collectGarbage } from '../../src/adapters/system/heap.js';

let harness: SyncHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('full-sync garbage collection', () => {
  it('collects after every 500 listed messages, each time after the page that crossed the mark is committed', async () => {
    harness = await startSyncHarness({ mailboxes: [{ generate: { messages: 1_100, seed: 5 } }] });
    const h = harness;
    const storedAtCollection: number[] = [];
    const heap = { everyMessages: 500, collect: () => storedAtCollection.push(h.localSnapshot().length) };
    const summary = await h.sync({ deps: { heap } });
    expect(summary.created).toBe(1_100);
    // Pages of 500, 500 and 100: after the first and the second page, not after the last (100 < 500).
    expect(storedAtCollection).toHaveLength(2);
    expect(storedAtCollection[0]).toBeGreaterThanOrEqual(500);
    expect(storedAtCollection[1]).toBeGreaterThanOrEqual(1_000);
  });

  it('an incremental sync does not collect', async () => {
    harness = await startSyncHarness({ mailboxes: [{ generate: { messages: 30, seed: 5 } }] });
    await harness.sync();
    const snapshot = await harness.serverSnapshot();
    for (const message of snapshot.slice(0, 10)) await harness.server.control.modify({ mailbox: harness.emailAddress, id: message.id, addLabelIds: ['STARRED'] });
    let collections = 0;
    const summary = await harness.sync({ deps: { heap: { everyMessages: 1, collect: () => (collections += 1) } } });
    expect(summary.kind).toBe('incremental');
    expect(summary.fetched).toBeGreaterThan(0);
    expect(collections).toBe(0);
  });

  it('the CLI and daemon wiring collect with V8 every 5,000 messages', async () => {
    harness = await startSyncHarness({ mailboxes: [{ generate: { messages: 1 } }] });
    const deps = await syncDeps(harness.ctx, {});
    expect(deps.heap).toEqual({ collect: collectGarbage, everyMessages: 5_000 });
  });
});
