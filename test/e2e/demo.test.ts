import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseJson, runCli } from '../support/cli.js';
import type { DemoSummary } from '../../src/app/demo.js';

describe('mailmon demo', () => {
  it('--json: every event delivered and verified, both recoveries happened, the replay sent everything', async () => {
    const result = await runCli(['demo', '--messages', '60', '--json'], { timeoutMs: 120_000 });
    expect(result.exitCode, result.stderr).toBe(0);
    const summary = parseJson<DemoSummary & { home: string | null }>(result.stdout);
    expect(summary.nothingLost).toBe(true);
    expect(summary.rejected).toBe(0);
    expect(summary.verified).toBe(summary.deliveries);
    expect(summary.events).toBeGreaterThanOrEqual(12);
    expect(summary.deliveries).toBe(summary.events + summary.replay.sent);
    expect(summary.recoveries).toHaveLength(2);
    expect(summary.steps.map((step) => step.step)).toContain('The OAuth token is revoked');
    for (const step of summary.steps) for (const event of step.events) expect(event, step.step).toMatchObject({ delivered: true, verified: true });
    expect(summary.home).toBeNull(); // the temporary home was cleaned up
  }, 120_000);

  it('--keep leaves a home that the rest of the CLI can explore', async () => {
    const result = await runCli(['demo', '--messages', '20', '--keep', '--json'], { timeoutMs: 120_000 });
    expect(result.exitCode, result.stderr).toBe(0);
    const { home } = parseJson<{ home: string }>(result.stdout);
    expect(fs.existsSync(home)).toBe(true);
    const events = await runCli(['events', 'list', '--json'], { home });
    expect(parseJson<unknown[]>(events.stdout).length).toBeGreaterThan(10);
    fs.rmSync(home, { recursive: true, force: true });
  }, 120_000);
});
