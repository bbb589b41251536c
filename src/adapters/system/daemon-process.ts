/**
 * Starting and stopping the daemon process: spawn `daemon run` detached (its own session, stdin
 * and stdout closed, stderr to a file so an early death can be explained), signal it, wait for
 * it to exit.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { pidAlive } from './pid-file.js';

export interface SpawnedDaemon {
  pid: number;
  /** The exit code once the child has exited (null while it runs). */
  exitCode: () => number | null;
  exited: () => boolean;
}

export function spawnDetachedDaemon(options: { execPath: string; args: string[]; env: NodeJS.ProcessEnv; stderrFile: string; cwd?: string }): SpawnedDaemon {
  const stderr = fs.openSync(options.stderrFile, 'w', 0o600);
  let exitCode: number | null = null;
  let exited = false;
  try {
    const child = spawn(options.execPath, options.args, { detached: true, stdio: ['ignore', 'ignore', stderr], env: options.env, cwd: options.cwd });
    child.on('exit', (code, signal) => {
      exited = true;
      exitCode = code ?? (signal ? 128 : 1);
    });
    child.on('error', () => {
      exited = true;
      exitCode = 1;
    });
    child.unref();
    return { pid: child.pid ?? -1, exitCode: () => exitCode, exited: () => exited };
  } finally {
    fs.closeSync(stderr);
  }
}

export function sendSignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Resolves true once the pid is gone, false after timeoutMs. */
export async function waitForExit(pid: number, timeoutMs: number, pollMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!pidAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return !pidAlive(pid);
}

export function readTextTail(file: string, maxChars = 4_000): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.length > maxChars ? text.slice(-maxChars) : text;
  } catch {
    return '';
  }
}
