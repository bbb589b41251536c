/**
 * Runs a command both ways — on bin/run.js's path without oclif, and through oclif
 * (FORCE_COLOR=0 sends it there, with no colour either way) — under the module trace, and
 * requires the same stdout, stderr and exit code, and that each run took its own path.
 */
import { spawn, spawnSync } from 'node:child_process';
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
  const result = spawnSync(process.execPath, ['--import', TRACER, CLI, ...args], { env: tracedEnv(home, env, trace), encoding: 'utf8', timeout: 60_000 });
  return traced(result.stdout, result.stderr, result.status, trace, normalize);
}

/** The same, without blocking this process (for a server the command talks to that runs in it, like the fixture). */
export async function tracedRunAsync(args: string[], home: string, env: Record<string, string> = {}, normalize: (stdout: string) => string = (stdout) => stdout): Promise<TracedRun> {
  const trace = traceFile();
  const child = spawn(process.execPath, ['--import', TRACER, CLI, ...args], { env: tracedEnv(home, env, trace), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearTimeout(timer);
  return traced(stdout, stderr, exitCode, trace, normalize);
}

function tracedEnv(home: string, env: Record<string, string>, trace: string): NodeJS.ProcessEnv {
  return { ...cliEnv({ home, env }), MAILMON_TRACE_FILE: trace };
}

function traced(stdout: string, stderr: string, exitCode: number | null, trace: string, normalize: (stdout: string) => string): TracedRun {
  const loaded = fs.existsSync(trace) ? fs.readFileSync(trace, 'utf8') : '';
  return { stdout: normalize(stdout), stderr, exitCode, loadedOclif: loaded.includes(OCLIF_MODULES) };
}

/** The same command both ways: the output and exit code must match, and each must have taken its path. */
export function bothPaths(args: string[], home: string, env: Record<string, string> = {}, normalize?: (stdout: string) => string): TracedRun {
  return sameBothWays(args, tracedRun(args, home, env, normalize), tracedRun(args, home, { ...env, FORCE_COLOR: '0' }, normalize));
}

/**
 * The same, for a command that changes its home (a sync): the fast path runs in `homes[0]`, oclif's
 * in `homes[1]`, two copies of one home (each run's own path reads "<home>").
 */
export async function bothPathsOnCopies(args: string[], homes: [string, string], env: Record<string, string> = {}, normalize?: (stdout: string) => string): Promise<TracedRun> {
  // Each run names its own copy: both read "<home>".
  const inHome = (run: TracedRun, home: string): TracedRun => ({ ...run, stdout: run.stdout.replaceAll(home, '<home>'), stderr: run.stderr.replaceAll(home, '<home>') });
  const fast = inHome(await tracedRunAsync(args, homes[0], env, normalize), homes[0]);
  const oclif = inHome(await tracedRunAsync(args, homes[1], { ...env, FORCE_COLOR: '0' }, normalize), homes[1]);
  return sameBothWays(args, fast, oclif);
}

function sameBothWays(args: string[], fast: TracedRun, oclif: TracedRun): TracedRun {
  expect(fast.loadedOclif, `${args.join(' ')} loaded oclif`).toBe(false);
  expect(oclif.loadedOclif, 'FORCE_COLOR=0 did not go through oclif').toBe(true);
  expect({ ...fast, loadedOclif: undefined }).toEqual({ ...oclif, loadedOclif: undefined });
  return fast;
}
