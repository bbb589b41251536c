/**
 * Runs a command both ways — on bin/run.js's path without oclif, and through oclif
 * (FORCE_COLOR=0 sends it there, with no colour either way) — under the module trace, and
 * requires the same stdout, stderr and exit code, and that each run took its own path.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { CLI, ROOT, cliEnv } from './cli.js';

export const TRACER = path.join(ROOT, 'test/support/trace-imports.mjs');
export const OCLIF_MODULES = '/node_modules/@oclif/core/';

export interface TracedRun {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  loadedOclif: boolean;
}

/** A file for the module trace (MAILMON_TRACE_FILE). */
export function traceFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-trace-')), 'imports.txt');
}

/** One run of the CLI to its end, with what it loaded; `normalize` masks what may differ between two runs. */
export function tracedRun(args: string[], home: string, env: Record<string, string> = {}, normalize: (stdout: string) => string = (stdout) => stdout): TracedRun {
  const trace = traceFile();
  const result = spawnSync(process.execPath, ['--import', TRACER, CLI, ...args], { env: { ...cliEnv({ home, env }), MAILMON_TRACE_FILE: trace }, encoding: 'utf8', timeout: 60_000 });
  const loaded = fs.existsSync(trace) ? fs.readFileSync(trace, 'utf8') : '';
  return { stdout: normalize(result.stdout), stderr: result.stderr, exitCode: result.status, loadedOclif: loaded.includes(OCLIF_MODULES) };
}

/** The same command both ways: the output and exit code must match, and each must have taken its path. */
export function bothPaths(args: string[], home: string, env: Record<string, string> = {}, normalize?: (stdout: string) => string): TracedRun {
  const fast = tracedRun(args, home, env, normalize);
  const oclif = tracedRun(args, home, { ...env, FORCE_COLOR: '0' }, normalize);
  expect(fast.loadedOclif, `${args.join(' ')} loaded oclif`).toBe(false);
  expect(oclif.loadedOclif, 'FORCE_COLOR=0 did not go through oclif').toBe(true);
  expect({ ...fast, loadedOclif: undefined }).toEqual({ ...oclif, loadedOclif: undefined });
  return fast;
}
