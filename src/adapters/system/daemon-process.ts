/**
 * Starting and stopping the daemon process: spawn `daemon run` detached (its own session, stdin
 * and stdout closed, stderr to a file so an early death can be explained), signal it, wait for
 * it to exit; and all of it with the pid file as the DaemonProcesses port.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type { DaemonProcesses, SpawnedDaemon } from '../../app/ports/daemon-processes.js';
import { formatLogEntry } from '../../core/log-entry.js';
import { daemonClient, daemonPaths, runningDaemon } from './daemon-client.js';
import { readLogTail } from './json-log.js';
import { liveDaemon, pidAlive, readPidFile } from './pid-file.js';

function spawnDetachedDaemon(options: { execPath: string; args: string[]; env: NodeJS.ProcessEnv; stderrFile: string; cwd?: string }): SpawnedDaemon {
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

function sendSignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Resolves true once the pid is gone, false after timeoutMs. */
async function waitForExit(pid: number, timeoutMs: number, pollMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!pidAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return !pidAlive(pid);
}

function readTextTail(file: string, maxChars = 4_000): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.length > maxChars ? text.slice(-maxChars) : text;
  } catch {
    return '';
  }
}

/** The DaemonProcesses port for one home's run and log directories; `command` is how to run the CLI. */
export function systemDaemonProcesses(home: Parameters<typeof daemonPaths>[0], command: { execPath: string; cliPath: string; env: NodeJS.ProcessEnv }): DaemonProcesses {
  const paths = daemonPaths(home);
  return {
    logFile: paths.logFile,
    socket: paths.socket,
    hasPidFile: async () => fs.existsSync(paths.pidFile),
    pidRecord: async () => readPidFile(paths.pidFile),
    alive: async () => liveDaemon(paths.pidFile),
    running: async () => runningDaemon(home),
    async removeRunFiles() {
      const existed = fs.existsSync(paths.pidFile);
      fs.rmSync(paths.pidFile, { force: true });
      fs.rmSync(paths.socket, { force: true });
      return existed;
    },
    spawn: async () => spawnDetachedDaemon({ execPath: command.execPath, args: [command.cliPath, 'daemon', 'run', '--detached'], env: command.env, stderrFile: paths.stderrFile }),
    signal: async (pid, signal) => sendSignal(pid, signal),
    waitForExit: (pid, timeoutMs) => waitForExit(pid, timeoutMs),
    startFailure: async (since) => ({
      stderr: readTextTail(paths.stderrFile).trim(),
      loggedErrors: readLogTail(paths.logFile, 20).filter((entry) => Date.parse(entry.time) >= since - 1000 && entry.level === 'error').map(formatLogEntry),
    }),
    control: () => daemonClient(home),
  };
}
