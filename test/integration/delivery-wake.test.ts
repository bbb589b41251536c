/**
 * Wake on commit: an event committed on the delivery worker's own connection (as the daemon's
 * sync commits) reaches the endpoint at once — nothing calls wake() by hand and the worker's
 * safety poll is a minute away.
 */
import { afterEach, expect, it } from 'vitest';
import { sqliteChangeNotifier } from '../../src/adapters/sqlite/sqlite-change-notifier.js';
import { sqliteStorage } from '../../src/adapters/sqlite/sqlite-storage.js';
import { startServer, type TestServer } from '../support/http-server.js';
import { startEndpointHarness, type EndpointHarness } from '../support/endpoint-harness.js';

let harness: EndpointHarness;
let server: TestServer;
afterEach(async () => {
  await harness?.close();
  await server?.close();
});

it('an in-process commit wakes the delivery worker promptly, without a manual wake-up', async () => {
  harness = await startEndpointHarness();
  const arrived: number[] = [];
  server = await startServer((_request, response) => {
    arrived.push(performance.now());
    response.writeHead(204).end();
  });
  await harness.addEndpoint(server.url);
  const { sqlite } = harness.store;
  harness.startService({ storage: sqliteStorage(harness.store), changes: sqliteChangeNotifier(sqlite), idleMs: 60_000 });
  await new Promise((resolve) => setTimeout(resolve, 200)); // the worker's first pass is over; it sleeps
  const committedAt = performance.now();
  harness.append([{ thread: 'a' }]);
  const deadline = committedAt + 5_000;
  while (arrived.length === 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(arrived.length).toBe(1);
  expect(arrived[0] - committedAt).toBeLessThan(1_000);
});
