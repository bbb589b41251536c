/**
 * Issue 14, "Output that lies or says nothing": `--verbose` / DEBUG=mailmon:* trace every Gmail
 * call, token refresh and lease on stderr (never a token), through the built CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { parseJson, runCli, tempHome } from '../support/cli.js';

const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '100000' };

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer({ quota: false, seed: 14, mailboxes: [{ generate: { messages: 24, seed: 14 } }] });
});
afterAll(async () => server?.close());

/** Every token the fixture has issued so far (read from its state: the test owns the server). */
function issuedTokens(): string[] {
  const state = (server.control as unknown as { state: { accessTokens: Map<string, unknown>; refreshTokens: Map<string, unknown> } }).state;
  return [...state.accessTokens.keys(), ...state.refreshTokens.keys()];
}

const GMAIL_LINE = /mailmon:gmail (\S+) (\d{3}|[A-Z_]+) (\d+)ms (\d+)u(.*)$/;

describe('--verbose and DEBUG=mailmon:* (built CLI)', () => {
  it('sync --verbose under 429/500/503 faults: one stderr line per Gmail call with status, ms, units and the retry wait; no token text', async () => {
    const home = tempHome();
    const fixtureEnv = { ...env, MAILMON_FIXTURE_TOKEN: server.controlToken };
    expect((await runCli(['login', '--fixture', server.url], { home, env })).exitCode).toBe(0);
    const faults = await runCli(['fixtures', 'faults', '--rate-429', '0.2', '--rate-5xx', '0.2', '--seed', '3', '--server', server.url], { home, env: fixtureEnv });
    expect(faults.exitCode, faults.stderr).toBe(0);
    await server.control.clearRequests();

    const sync = await runCli(['sync', '--verbose', '--json'], { home, env, timeoutMs: 60_000 });
    await server.control.clearFaults();
    expect(sync.exitCode, sync.stderr).toBe(0);
    expect(parseJson(sync.stdout)).toMatchObject({ results: [{ kind: 'full', created: 24 }] });

    const served = (await server.control.requests()).filter((entry) => entry.path.includes('/gmail/v1/'));
    const traced = sync.stderr.split('\n').map((line) => GMAIL_LINE.exec(line)).filter((match): match is RegExpExecArray => match !== null);
    // One line per Gmail call the fixture answered, with the same statuses.
    const count = (statuses: string[]) => statuses.reduce((counts, status) => counts.set(status, (counts.get(status) ?? 0) + 1), new Map<string, number>());
    expect(count(traced.map((match) => match[2]))).toEqual(count(served.map((entry) => String(entry.status))));
    const failed = traced.filter((match) => match[2] !== '200');
    expect(failed.some((match) => match[2] === '429')).toBe(true);
    expect(failed.some((match) => match[2] === '500' || match[2] === '503')).toBe(true);
    // Each failed call says when it is retried (the 429s honour the fixture's Retry-After: 1).
    for (const match of failed) expect(match[5]).toMatch(/ retry \d+\/\d+ in \d+ms/);
    for (const match of traced.filter((m) => m[2] === '429')) expect(match[5]).toMatch(/in (9\d\d|1\d{3})ms \(server asked\)/);
    // Quota units per call are the method's cost.
    expect(traced.find((match) => match[1] === 'messages.list')?.[4]).toBe('5');
    expect(sync.stderr).toMatch(/mailmon:oauth access token refreshed/);
    expect(sync.stderr).toMatch(/mailmon:lease mbx_\w+: acquired for sync \(epoch \d+\)/);
    expect(sync.stderr).toMatch(/mailmon:lease mbx_\w+: released/);

    const tokens = issuedTokens();
    expect(tokens.length).toBeGreaterThan(1);
    for (const token of tokens) expect(sync.stdout + sync.stderr).not.toContain(token);
    expect(sync.stdout + sync.stderr).not.toMatch(/ya29\.|1\/\/0/);
  }, 90_000);

  it('DEBUG=mailmon:* traces the same without --verbose; without either, stderr has no trace', async () => {
    const home = tempHome();
    expect((await runCli(['login', '--fixture', server.url], { home, env })).exitCode).toBe(0);
    const traced = await runCli(['sync', '--json'], { home, env: { ...env, DEBUG: 'mailmon:*' }, timeoutMs: 60_000 });
    expect(traced.exitCode, traced.stderr).toBe(0);
    expect(traced.stderr).toMatch(/mailmon:gmail getProfile 200 \d+ms 1u/);
    const quiet = await runCli(['sync', '--json'], { home, env, timeoutMs: 60_000 });
    expect(quiet.exitCode, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toMatch(/mailmon:/);
  }, 60_000);
});
