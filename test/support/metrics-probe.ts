/**
 * Run with `node --import tsx test/support/metrics-probe.ts`: creates the daemon's metrics, moves
 * a counter, renders once, and prints (JSON) whether prom-client's process defaults (and the
 * @opentelemetry/api they require) were loaded before and after that first render.
 */
import { createRequire } from 'node:module';
import { createMetrics } from '../../src/api/metrics.js';

const loadedDefaults = () => Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('@opentelemetry') || file.includes('defaultMetrics'));
const none = async () => [];
const metrics = createMetrics({
  storage: { mailboxes: { list: none }, endpoints: { list: none }, consumers: { list: none }, events: { head: async () => 0 } } as never,
  clock: { now: () => 0 },
});
metrics.hooks.syncRun('incremental', 'succeeded');
const before = loadedDefaults();
const text = await metrics.render();
console.log(JSON.stringify({ before, after: loadedDefaults(), text }));
