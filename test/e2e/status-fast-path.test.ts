/**
 * `status --json` is answered without oclif (bin/run.js, src/cli/fast-path.ts): these tests
 * hold that path to the bytes and exit codes oclif's path gives for the same command — a
 * healthy store, no store yet, and the errors a home or a setting can cause. FORCE_COLOR=0 (no
 * colour either way) sends the same command through oclif; the module trace proves which path ran.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempHome } from '../support/cli.js';
import { bothPaths } from '../support/fast-path.js';

// The report's own clock is the only thing that may differ between two runs.
const sameClock = (stdout: string) => stdout.replace(/"generatedAt": "[^"]+"/, '"generatedAt": "…"');
const statusJson = (home: string, env: Record<string, string> = {}) => bothPaths(['status', '--json'], home, env, sameClock);

describe('status --json without oclif', () => {
  it('prints the same report as through oclif, for a store and for a home with none yet', async () => {
    const home = tempHome();
    const fresh = statusJson(home);
    expect(fresh.exitCode, fresh.stdout + fresh.stderr).toBe(0);
    await runCli(['doctor', '--json'], { home });
    const report = statusJson(home);
    expect(report.exitCode, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout)).toMatchObject({ daemon: { running: false }, mailboxes: [] });
    expect(report.stdout.endsWith('}\n')).toBe(true);
  });

  it('fails the same way: a home that is a file, a bad database URL, an empty store', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-file-home-')), 'home');
    fs.writeFileSync(file, 'not a directory');
    expect(statusJson(file).exitCode).not.toBe(0);

    const home = tempHome();
    await runCli(['doctor', '--json'], { home });
    const badUrl = statusJson(home, { MAILMON_DATABASE_URL: 'mysql://nowhere/db' });
    expect(badUrl.exitCode).not.toBe(0);
    expect(JSON.parse(badUrl.stdout)).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });

    fs.truncateSync(path.join(home, 'mailmon.db'), 0);
    const empty = statusJson(home);
    expect(empty.exitCode).toBe(4);
    expect(JSON.parse(empty.stdout)).toMatchObject({ error: { code: 'store_corrupt' } });
  });

  it('skips no hook: mailmon and its plugins declare none that would run around a command', () => {
    const declared = (pjson: string) => Object.keys((JSON.parse(fs.readFileSync(path.join(ROOT, pjson), 'utf8')) as { oclif?: { hooks?: object } }).oclif?.hooks ?? {});
    const plugins = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { oclif: { plugins: string[] } }).oclif.plugins;
    const hooks = [declared('package.json'), ...plugins.map((plugin) => declared(`node_modules/${plugin}/package.json`))].flat();
    const aroundACommand = hooks.filter((hook) => ['init', 'prerun', 'postrun', 'finally', 'preparse'].includes(hook));
    expect(aroundACommand, 'a hook that runs around every command: remove the status --json fast path or run the hook there').toEqual([]);
  });
});
