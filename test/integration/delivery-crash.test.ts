/**
 * SIGKILL the process running the delivery service while attempts are in flight; after a
 * restart the in-flight deliveries complete once their claims age past the claim timeout (the
 * receiver may see an event twice, with the same event id) and nothing is lost.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliContext } from '../../src/cli/context.js';
import { endpointDeps } from '../../src/cli/wiring-webhooks.js';
import { addEndpoint } from '../../src/app/add-endpoint.js';
import { EventLog } from '../../src/adapters/sqlite/event-log.js';
import { newId } from '../../src/adapters/system/ids.js';
import { verifySignature } from '../../src/core/signatures.js';
import { ROOT, cliEnv, tempHome, waitForLine } from '../support/cli.js';
import { startServer, type TestServer } from '../support/http-server.js';

/** A 2 s delivery timeout: claims go stale after claimTimeoutFor(2 s) = 9 s. */
const DELIVERY_TIMEOUT = '2s';

function startWorker(home: string): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/support/delivery-worker.ts')], { cwd: ROOT, env: cliEnv({ home, env: { MAILMON_DELIVERY_TIMEOUT: DELIVERY_TIMEOUT } }), stdio: 'pipe' });
}

async function until(condition: () => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('delivery after a crash', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('SIGKILL mid-delivery → after restart the in-flight deliveries complete, same event ids', async () => {
    let hang = true;
    const server: TestServer = await startServer((_request, response) => {
      if (!hang) response.writeHead(200).end();
    });
    cleanups.push(() => server.close());
    const home = tempHome('mailmon-crash-');
    cleanups.push(() => fs.rmSync(path.dirname(home), { recursive: true, force: true }));
    const ctx = new CliContext(cliEnv({ home }));
    cleanups.push(() => ctx.close());
    const { deps, close } = await endpointDeps(ctx);
    cleanups.push(close);
    const endpoint = await addEndpoint(deps, { url: server.url, events: [], mailboxes: [], scheme: 'mailmon', headers: {}, description: null, skipVerification: true });
    const { sqlite } = await ctx.store();
    const log = new EventLog(sqlite);
    const events = sqlite.transaction(() =>
      log.append(Array.from({ length: 12 }, (_, index) => ({ id: newId('evt'), type: 'message.created' as const, orderingKey: `mbx_crash:thread:t${index}`, data: {} })), { id: 'mbx_crash', emailAddress: 'crash@example.com' }, Date.now()),
    ).immediate();

    const first = startWorker(home);
    cleanups.push(() => void first.kill('SIGKILL'));
    await waitForLine(first, 'stdout', (line) => line === 'ready');
    await until(() => server.requests.length >= 8);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));

    const inFlight = sqlite.prepare(`select event_id as id from deliveries where status = 'in_flight'`).all() as Array<{ id: string }>;
    expect(inFlight).toHaveLength(8);
    const interruptedIds = new Set(inFlight.map((row) => row.id));

    hang = false;
    const second = startWorker(home);
    cleanups.push(() => void second.kill('SIGKILL'));
    await waitForLine(second, 'stdout', (line) => line === 'ready');
    // The dead worker's claims are still younger than the claim timeout: left alone for now, not
    // sent again. (The new worker's own four may still be in flight on a loaded machine.)
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const claimedNow = sqlite.prepare(`select event_id as id from deliveries where status = 'in_flight'`).all() as Array<{ id: string }>;
    expect(claimedNow.map((row) => row.id)).toEqual(expect.arrayContaining([...interruptedIds]));
    expect(server.requests.filter((request) => interruptedIds.has(request.headers['x-mailmon-event-id'] as string))).toHaveLength(8);
    const succeeded = () => (sqlite.prepare(`select count(distinct event_id) as n from deliveries where status = 'succeeded'`).get() as { n: number }).n;
    await until(() => succeeded() === events.length, 30_000);
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));

    const received = server.requests.map((request) => request.headers['x-mailmon-event-id'] as string);
    expect(new Set(received)).toEqual(new Set(events.map((event) => event.id)));
    for (const id of interruptedIds) expect(received.filter((candidate) => candidate === id)).toHaveLength(2);
    const interrupted = sqlite.prepare(`select count(*) as n from deliveries where error_class = 'interrupted' and status = 'failed'`).get() as { n: number };
    expect(interrupted.n).toBe(8);
    expect(sqlite.prepare(`select count(*) as n from deliveries where status in ('pending', 'in_flight')`).get()).toEqual({ n: 0 });
    for (const request of server.requests) {
      const header = request.headers['x-mailmon-signature'] as string;
      expect(verifySignature({ payload: request.body, header, secret: endpoint.secret, now: Math.floor(Date.now() / 1000) })).toBe(true);
    }
  });
});
