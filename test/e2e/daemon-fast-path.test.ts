/**
 * The daemon's entry points (`daemon run`, `daemon run --detached`) run without oclif
 * (bin/run.js, src/cli/fast-path.ts): these tests hold that path to the output and exit codes
 * oclif's path gives when the daemon cannot start, and show a daemon on it serves and drains as
 * before. FORCE_COLOR=0 sends the same command through oclif; the module trace proves which
 * path ran.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, cliEnv, parseJson, runCli, tempHome, waitForLine } from '../support/cli.js';
import { bothPaths, OCLIF_MODULES, TRACER, traceFile } from '../support/fast-path.js';

const children: Array<ReturnType<typeof spawn>> = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('the daemon without oclif', () => {
  it('fails to start the same way: a home that is a file, an empty store', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-file-home-')), 'home');
    fs.writeFileSync(file, 'not a directory');
    const notADirectory = bothPaths(['daemon', 'run'], file);
    expect(notADirectory.exitCode).not.toBe(0);
    expect(notADirectory.stderr).not.toContain('Unexpected error');

    const home = tempHome('mailmon-daemon-fast-');
    await runCli(['doctor', '--json'], { home });
    fs.truncateSync(path.join(home, 'mailmon.db'), 0);
    const empty = bothPaths(['daemon', 'run'], home);
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
    expect(fs.readFileSync(trace, 'utf8')).not.toContain(OCLIF_MODULES);
  }, 120_000);
});
