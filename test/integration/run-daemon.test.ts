/** runDaemon in-process: ready on its socket, live status, sync through the control channel, shutdown request, clean exit. */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry, Logger } from '../../src/core/log-entry.js';
import { daemonClient, daemonPaths, isDaemonRunning } from '../../src/adapters/system/daemon-client.js';
import { syncDeps } from '../../src/cli/wiring.js';
import { daemonFiles } from '../../src/cli/wiring-daemon.js';
import { runDaemon } from '../../src/daemon/run-daemon.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';

let harness: SyncHarness | undefined;
afterEach(async () => harness?.close());

function memoryLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (msg: string, fields?: Record<string, unknown>) => entries.push({ time: new Date().toISOString(), level, msg, ...fields });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('runDaemon', () => {
  it('answers on its socket, syncs on request with a summary, and stops on a shutdown request', async () => {
    harness = await startSyncHarness({ mailboxes: [{ generate: { messages: 8 } }] });
    const home = harness.ctx.home;
    const logger = memoryLogger();
    const controller = new AbortController();
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    const running = runDaemon({ home, files: daemonFiles(home), version: '0.0.0-test', syncDeps: await syncDeps(harness.ctx, { unitsPerSecond: null }), pollIntervalMs: 60_000, logger }, { signal: controller.signal, onReady: () => ready() });
    await isReady;
    expect(isDaemonRunning(home)).toBe(true);
    const client = daemonClient(home);
    expect(await client.ping()).toEqual({ ok: true, pid: process.pid, version: '0.0.0-test' });

    await harness.server.control.send({ subject: 'through the control channel' });
    const result = await client.sync({ mailbox: harness.emailAddress, wait: true });
    expect(result).toMatchObject({ results: [{ mailboxId: harness.mailboxId, created: expect.any(Number) }], failures: [] });
    const status = await client.status();
    expect(status).toMatchObject({ pid: process.pid, version: '0.0.0-test', home: home.root, mailboxes: [{ mailboxId: harness.mailboxId, lastError: null, lastSuccessAt: expect.any(Number) }] });
    expect(status.services.map((service) => [service.id, service.state])).toEqual([['recovery', 'running'], ['sync-loop', 'running'], ['control', 'running']]);
    await expect(client.sync({ mailbox: 'nobody@example.com', wait: true })).rejects.toMatchObject({ code: 'mailbox_not_found' });

    expect(await client.shutdown()).toEqual({ ok: true });
    expect(await running).toMatchObject({ pid: process.pid, unfinished: [] });
    const paths = daemonPaths(home);
    expect(fs.existsSync(paths.pidFile)).toBe(false);
    expect(fs.existsSync(paths.socket)).toBe(false);
    expect(fs.readdirSync(home.leases)).toEqual([]);
    expect(logger.entries.map((entry) => entry.msg)).toEqual(expect.arrayContaining(['daemon ready', 'sync requested', 'shutdown requested over the control channel', 'daemon stopped']));
  });
});
