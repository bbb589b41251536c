/**
 * The daemon's metrics registry loads prom-client's process defaults (and with them all of
 * @opentelemetry/api) only when first scraped: a daemon nobody scrapes does not carry them. The
 * mailmon counters count from the start, and the first scrape has the process metrics too.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

it('loads the process defaults at the first render, not before, and counts from the start', () => {
  const root = path.resolve(import.meta.dirname, '..', '..');
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'test', 'support', 'metrics-probe.ts')], { cwd: root, encoding: 'utf8' });
  const probe = JSON.parse(out.trim().split('\n').pop()!) as { before: boolean; after: boolean; text: string };
  expect(probe.before).toBe(false);
  expect(probe.after).toBe(true);
  expect(probe.text).toContain('mailmon_sync_runs_total{kind="incremental",outcome="succeeded"} 1');
  expect(probe.text).toContain('process_cpu_seconds_total');
  expect(probe.text).toContain('nodejs_eventloop_lag_seconds');
}, 60_000);
