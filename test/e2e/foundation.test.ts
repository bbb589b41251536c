import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, cliEnv, parseJson, runCli, tempHome } from '../support/cli.js';
import { spawnSync } from 'node:child_process';

describe('the CLI foundation', () => {
  it('prints its version in oclif\'s format without loading oclif, ink, the Gmail client, drizzle, SQLite or the HTTP API', () => {
    const trace = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-trace-')), 'imports.txt');
    const result = spawnSync(process.execPath, ['--import', path.join(ROOT, 'test/support/trace-imports.mjs'), CLI, '--version'], {
      env: { ...cliEnv(), MAILMON_TRACE_FILE: trace },
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(result.stdout).toBe(`mailmon/${version} ${process.platform}-${process.arch} node-${process.version}\n`);
    const loaded = fs.readFileSync(trace, 'utf8');
    for (const heavy of ['/node_modules/@oclif/core/', '/node_modules/ink/', '/node_modules/@googleapis/', '/node_modules/drizzle-orm/', '/node_modules/better-sqlite3/', '/node_modules/react/', '/node_modules/fastify/', '/node_modules/prom-client/']) {
      expect(loaded, heavy).not.toContain(heavy);
    }
  });

  it('status --json loads few modules: no oclif, no drizzle, no tracing, no Gmail client, no sync commit, no delivery queue, no MIME parser, no table measuring', async () => {
    const home = tempHome();
    await runCli(['doctor', '--json'], { home });
    const traceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-trace-'));
    const [trace, requires] = [path.join(traceDir, 'imports.txt'), path.join(traceDir, 'requires.txt')];
    const result = spawnSync(process.execPath, ['--import', path.join(ROOT, 'test/support/trace-imports.mjs'), '--import', path.join(ROOT, 'test/support/trace-requires.mjs'), CLI, 'status', '--json'], {
      env: { ...cliEnv(), MAILMON_HOME: home, MAILMON_TRACE_FILE: trace, MAILMON_TRACE_REQUIRES_FILE: requires },
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    const loaded = fs.readFileSync(trace, 'utf8');
    const heavy = ['/node_modules/@oclif/core/', '/node_modules/drizzle-orm/index.js', '/node_modules/drizzle-orm/sqlite-core/', '/node_modules/@googleapis/', '/node_modules/ink/', '/node_modules/postal-mime/', '/node_modules/string-width/', '/node_modules/typeid-js/', '/node_modules/debug/',
      '/dist/src/adapters/gmail/', '/dist/src/cli/wiring.js', '/dist/src/adapters/sqlite/sync-store.js', '/dist/src/adapters/sqlite/delivery-repository.js'];
    for (const module of heavy) expect(loaded, module).not.toContain(module);
    // Every module costs start-up time: 66 ES modules when this bound was set (79 and ~130
    // CommonJS files of oclif before status --json stopped going through oclif, 119 before that).
    const modules = new Set(loaded.split('\n').filter((url) => url !== '' && !url.startsWith('node:')));
    expect(modules.size).toBeLessThanOrEqual(70);
    // CommonJS files: 14 when this bound was set (better-sqlite3 and ms; 129 through oclif). The
    // SQLite addon is named directly: `bindings` probes a dozen paths to find it.
    const commonJs = fs.readFileSync(requires, 'utf8').split('\n').filter(Boolean);
    expect(commonJs.filter((file) => file.includes('/node_modules/bindings/'))).toEqual([]);
    expect(commonJs.length, commonJs.join('\n')).toBeLessThanOrEqual(16);
  });

  it('doctor --json reports a healthy fresh home', async () => {
    const home = tempHome();
    const result = await runCli(['doctor', '--json'], { home });
    expect(result.exitCode, result.stderr).toBe(0);
    const report = parseJson<{ ok: boolean; home: string; checks: Array<{ ok: boolean }>; migrations: { applied: number; shipped: number } }>(result.stdout);
    expect(report.ok).toBe(true);
    expect(report.home).toBe(home);
    expect(report.migrations.applied).toBe(report.migrations.shipped);
    expect((fs.statSync(home).mode & 0o777).toString(8)).toBe('700');
  });

  it('suggests the nearest command for a typo, in one line, with a non-zero exit', async () => {
    const result = await runCli(['doctr'], { home: tempHome() });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/"doctr" is not a mailmon command\. Did you mean "doctor"\?/);
  });

  it('rejects an unknown flag with one clear line, and as JSON under --json', async () => {
    const human = await runCli(['doctor', '--bogus'], { home: tempHome() });
    expect(human.exitCode).toBe(2);
    expect(human.stderr).toMatch(/^Error: Nonexistent flag: --bogus\n→ See "mailmon doctor --help"/);
    expect(human.stderr).not.toMatch(/\bat \w+ \(/);
    const json = await runCli(['doctor', '--bogus', '--json'], { home: tempHome() });
    expect(json.exitCode).toBe(2);
    expect(parseJson(json.stdout)).toEqual({ error: { code: 'usage', message: 'Nonexistent flag: --bogus', hint: expect.stringContaining('--help') } });
  });

  it('explains a MAILMON_HOME that is a regular file', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-file-')), 'not-a-dir');
    fs.writeFileSync(file, 'x');
    const result = await runCli(['doctor'], { home: file });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(`MAILMON_HOME path ${file} exists but is not a directory.`);
    expect(result.stderr).toContain('→ Point MAILMON_HOME at a directory');
  });

  it('explains an unwritable home', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-ro-'));
    fs.chmodSync(parent, 0o755);
    const home = path.join(parent, 'home');
    fs.mkdirSync(home, { mode: 0o555 });
    fs.chmodSync(home, 0o555);
    // root ignores permission bits, so run the CLI as nobody when the tests run as root.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534, env: { HOME: parent } } : {};
    const result = await runCli(['doctor'], { home, ...asNobody });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(`MAILMON_HOME directory ${home} is not writable.`);
  });

  it('names a store that is not SQLite and says what to do', async () => {
    const home = tempHome();
    fs.mkdirSync(home, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(home, 'mailmon.db'), 'garbage'.repeat(100), { mode: 0o600 });
    const result = await runCli(['doctor', '--json'], { home });
    expect(result.exitCode).toBe(1);
    const report = parseJson<{ ok: boolean; checks: Array<{ name: string; ok: boolean; detail: string; fix?: string }> }>(result.stdout);
    const check = report.checks.find((candidate) => candidate.name === 'store opens');
    expect(check).toMatchObject({ ok: false, detail: expect.stringContaining('is not a SQLite database') });
    expect(check?.fix).toMatch(/Move it aside/);
    const human = await runCli(['doctor'], { home });
    expect(human.exitCode).toBe(1);
    expect(human.stderr).toMatch(/Error: 1 check failed: store opens\.\n→ Move it aside/);
  });

  it('refuses a store migrated by a newer mailmon without changing it', async () => {
    const home = tempHome();
    expect((await runCli(['doctor'], { home })).exitCode).toBe(0);
    const db = new Database(path.join(home, 'mailmon.db'));
    db.prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run('from-the-future', Date.now() + 10 ** 12);
    db.close();
    const result = await runCli(['config', 'list'], { home });
    const doctor = await runCli(['doctor', '--json'], { home });
    expect(result.exitCode).toBe(0); // config does not need the store
    expect(doctor.exitCode).toBe(1);
    expect(doctor.stdout).toContain('was migrated by a newer mailmon');
    const after = new Database(path.join(home, 'mailmon.db'), { readonly: true });
    expect((after.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number }).n).toBeGreaterThan(1);
    after.close();
  });

  it('five processes opening a fresh home at once all succeed; the schema is applied once', async () => {
    const home = tempHome();
    const results = await Promise.all(Array.from({ length: 5 }, () => runCli(['doctor', '--json'], { home })));
    for (const result of results) expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const db = new Database(path.join(home, 'mailmon.db'), { readonly: true });
    const rows = db.prepare('select hash from __drizzle_migrations').all();
    db.close();
    const shipped = JSON.parse(fs.readFileSync(path.join(ROOT, 'migrations/meta/_journal.json'), 'utf8')).entries.length;
    expect(rows).toHaveLength(shipped);
  });

  it('config set/get/unset round-trips, env overrides, bad input is rejected with the valid keys', async () => {
    const home = tempHome();
    expect((await runCli(['config', 'set', 'poll-interval', '10s'], { home })).exitCode).toBe(0);
    expect((await runCli(['config', 'get', 'poll-interval'], { home })).stdout).toBe('10s\n');
    const overridden = await runCli(['config', 'get', 'poll-interval', '--json'], { home, env: { MAILMON_POLL_INTERVAL: '1m' } });
    expect(parseJson(overridden.stdout)).toMatchObject({ value: '1m', source: 'env' });
    const unknown = await runCli(['config', 'set', 'pol-interval', '10s'], { home });
    expect(unknown.exitCode).toBe(3);
    expect(unknown.stderr).toMatch(/Unknown setting "pol-interval"\.\n→ Valid keys: poll-interval/);
    const bad = await runCli(['config', 'set', 'delivery.timeout', 'soon', '--json'], { home });
    expect(parseJson(bad.stdout)).toMatchObject({ error: { code: 'config_bad_value' } });
    expect((await runCli(['config', 'unset', 'poll-interval'], { home })).exitCode).toBe(0);
    expect((await runCli(['config', 'get', 'poll-interval'], { home })).stdout).toBe('30s\n');
    expect((fs.statSync(path.join(home, 'config.json')).mode & 0o777).toString(8)).toBe('600');
  });

  it('the e2e harness kills a command still running at its timeout and says so on stderr', async () => {
    const result = await runCli(['fixtures', 'serve', '--port', '0'], { timeoutMs: 1_500 });
    expect(result.signal).toBe('SIGKILL');
    expect(result.stderr).toContain('[runCli: killed after 1500 ms: mailmon fixtures serve --port 0]');
  });
});
