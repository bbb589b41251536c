/**
 * The e2e harness: spawns the BUILT CLI (bin/run.js → dist/) as a child process with a temp
 * MAILMON_HOME and returns stdout, stderr and the exit code. Every feature's e2e tests use it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'bin', 'run.js');

export interface CliResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliOptions {
  home?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  /** runCli kills the command after this long (default RUN_TIMEOUT_MS). */
  timeoutMs?: number;
  cwd?: string;
  /** Run as another user (e.g. nobody when the tests run as root and need a permission error). */
  uid?: number;
  gid?: number;
}

/**
 * How long runCli lets a command run before it kills it. Only a guard against a hung command:
 * generous, because on a loaded 2-core CI machine a command that takes 1 s alone can take 20 s
 * or more (node's start-up alone takes seconds there), and a guard that fires early fails a
 * correct command with a bare "exit code null".
 */
export const RUN_TIMEOUT_MS = 60_000;
/** How long waitForLine waits by default, for the same reason. */
export const LINE_TIMEOUT_MS = 45_000;

/** A fresh, private temp directory to use as MAILMON_HOME (not created: mailmon creates it). */
export function tempHome(prefix = 'mailmon-test-'): string {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return path.join(parent, 'home');
}

/**
 * Inherited variables the child must not see: mailmon's own settings and output switches, and
 * NODE_EXTRA_CA_CERTS (node parses that CA bundle at every start-up, about 60 ms of CPU per
 * command, and the tests' commands only ever reach loopback servers).
 */
const NOT_INHERITED = new Set(['DEBUG', 'FORCE_COLOR', 'NODE_EXTRA_CA_CERTS']);

/** The child's environment: no inherited MAILMON_* settings, a file-based secret store, a daemon API on a free port. */
export function cliEnv(options: CliOptions = {}): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MAILMON_') && !NOT_INHERITED.has(key)));
  // Daemons of parallel tests would all contend for the API's default port.
  const env: NodeJS.ProcessEnv = { ...base, NO_COLOR: '1', MAILMON_SECRET_STORE: 'file', MAILMON_API_PORT: '0' };
  if (options.home) env.MAILMON_HOME = options.home;
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Starts the CLI and leaves it running (for listen, fixtures serve, daemon run…). */
export function startCli(args: string[], options: CliOptions = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: cliEnv(options), stdio: 'pipe', uid: options.uid, gid: options.gid });
}

/**
 * Runs the CLI to completion. A command still running after `timeoutMs` is SIGKILLed, and its
 * stderr then ends with a line saying so (tests print stderr when the exit code is wrong).
 */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = startCli(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timeoutMs = options.timeoutMs ?? RUN_TIMEOUT_MS;
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      if (killed) stderr += `\n[runCli: killed after ${timeoutMs} ms: mailmon ${args.join(' ')}]\n`;
      resolve({ stdout, stderr, exitCode, signal });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Collects a running child's output and resolves when a line matches (or rejects on timeout/exit). */
export function waitForLine(child: ChildProcessWithoutNullStreams, stream: 'stdout' | 'stderr', matches: (line: string) => boolean, timeoutMs = LINE_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const source = child[stream];
    const onData = (chunk: Buffer | string) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (matches(line)) {
          cleanup();
          resolve(line);
          return;
        }
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`process exited (${code}) before the expected ${stream} line`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for a ${stream} line`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      source.off('data', onData);
      child.off('exit', onExit);
    };
    source.on('data', onData);
    child.on('exit', onExit);
  });
}

export function parseJson<T = unknown>(text: string): T {
  return JSON.parse(text) as T;
}

/** Every non-empty stdout line parsed as JSON (for NDJSON streams). */
export function parseJsonLines<T = unknown>(text: string): T[] {
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as T);
}
