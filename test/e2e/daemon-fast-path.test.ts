/**
 * The daemon's entry points (`daemon run`, `daemon run --detached`) run without oclif
 * (bin/run.js, src/cli/fast-path.ts): these tests hold that path to the output and exit codes
 * oclif's path gives when the daemon cannot start, and show a daemon on it serves and drains as
 * before. FORCE_COLOR=0 sends the same command through oclif; the module trace proves which
 * path ran.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, cliEnv, parseJson, runCli, tempHome, waitForLine } from '../support/cli.js';

const TRACER = path.join(ROOT, 'test/support/trace-imports.mjs');
const OCLIF = '/node_modules/@oclif/core/';
const children: Array<ReturnType<typeof spawn>> = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function traceFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-trace-')), 'imports.txt');
}

function failedStart(home: string, env: Record<string, string> = {}) {
  const trace = traceFile();
  const result = spawnSync(process.execPath, ['--import', TRACER, CLI, 'daemon', 'run'], { env: { ...cliEnv({ home, env }), MAILMON_TRACE_FILE: trace }, encoding: 'utf8', timeout: 60_000 });
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.status, loadedOclif: fs.readFileSync(trace, 'utf8').includes(OCLIF) };
}

/** The same failed start both ways: output and exit code must match, and each must have taken its path. */
function bothPaths(home: string) {
  const fast = failedStart(home);
  const oclif = failedStart(home, { FORCE_COLOR: '0' });
  expect(fast.loadedOclif, 'daemon run loaded oclif').toBe(false);
  expect(oclif.loadedOclif, 'FORCE_COLOR=0 did not go through oclif').toBe(true);
  expect({ ...fast, loadedOclif: undefined }).toEqual({ ...oclif, loadedOclif: undefined });
  return fast;
}

describe('the daemon without oclif', () => {
  it('fails to start the same way: a home that is a file, an empty store', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-file-home-')), 'home');
    fs.writeFileSync(file, 'not a directory');
    const notADirectory = bothPaths(file);
    expect(notADirectory.exitCode).not.toBe(0);
    expect(notADirectory.stderr).not.toContain('Unexpected error');

    const home = tempHome('mailmon-daemon-fast-');
    await runCli(['doctor', '--json'], { home });
    fs.truncateSync(path.join(home, 'mailmon.db'), 0);
    const empty = bothPaths(home);
    expect(empty.exitCode).toBe(4);
    expect(empty.stderr).toContain('is empty (0 bytes)');
  }, 120_000);

  it('runs, answers and drains on SIGTERM with exit 0, oclif never loaded', async () => {
    const home = tempHome('mailmon-daemon-fast-');
    const trace = traceFile();
    const daemon = spawn(process.execPath, ['--import', TRACER, CLI, 'daemon', 'run'], { cwd: ROOT, env: { ...cliEnv({ home }), MAILMON_TRACE_FILE: trace }, stdio: 'pipe' });
    children.push(daemon);
    await waitForLine(daemon, 'stderr', (line) => line.includes('api listening'), 60_000);
    const status = await runCli(['daemon', 'status', '--json'], { home });
    expect(parseJson<{ running: boolean; pid: number }>(status.stdout)).toMatchObject({ running: true, pid: daemon.pid });

    const exited = new Promise<number | null>((resolve) => daemon.once('exit', (code) => resolve(code)));
    daemon.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(fs.readFileSync(trace, 'utf8')).not.toContain(OCLIF);
  }, 120_000);
});
