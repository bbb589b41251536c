/**
 * Child processes for the benchmarks: the built CLI and helper scripts, each measured from the
 * outside — wall time, peak RSS (VmHWM from /proc, polled; the kernel keeps the high-water mark,
 * so a poll just before exit sees the true peak) and CPU time (utime + stime from /proc/<pid>/stat).
 * Where /proc is missing, `/usr/bin/time` is not assumed: RSS is then reported as null.
 */
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'bin', 'run.js');
const CLOCK_TICKS = 100; // USER_HZ on Linux

const tempDirs = [];

/** A fresh MAILMON_HOME path (not created: mailmon creates it); removed by removeTempHomes(). */
export function tempHome(prefix = 'mailmon-bench-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return path.join(dir, 'home');
}

/** Deletes every temp home made so far (a 100k-message home is hundreds of MB). */
export function removeTempHomes() {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** The CLI's environment: nothing inherited from MAILMON_*, a file secret store, no colour. */
export function cliEnv(home, extra = {}) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MAILMON_') && key !== 'DEBUG' && key !== 'FORCE_COLOR'));
  return { ...base, NO_COLOR: '1', MAILMON_SECRET_STORE: 'file', ...(home ? { MAILMON_HOME: home } : {}), ...extra };
}

export function readPeakRssKb(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

export function readRssKb(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** utime + stime in ms, or null. */
export function readCpuMs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/**
 * Starts a process and measures it until it exits. `onStdoutLine` / `onStderrLine` see each line
 * as it comes (to react to "Ready!"). Resolves { code, stdout, stderr, wallMs, peakRssKb, cpuMs }.
 */
export function measure(command, args, { env, cwd = ROOT, timeoutMs = 600_000, onStdoutLine, onStderrLine, onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakRssKb = null;
    let cpuMs = null;
    const sample = () => {
      const rss = readPeakRssKb(child.pid);
      if (rss !== null) peakRssKb = Math.max(peakRssKb ?? 0, rss);
      const cpu = readCpuMs(child.pid);
      if (cpu !== null) cpuMs = cpu;
    };
    const poll = setInterval(sample, 25);
    const lines = (handler) => {
      let buffer = '';
      return (chunk) => {
        if (!handler) return;
        buffer += chunk;
        let index;
        while ((index = buffer.indexOf('\n')) >= 0) {
          handler(buffer.slice(0, index), child);
          buffer = buffer.slice(index + 1);
        }
      };
    };
    const outLines = lines(onStdoutLine);
    const errLines = lines(onStderrLine);
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      outLines(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
      errLines(chunk);
    });
    // The exit event comes after the process is reaped; sample once more when stdout closes.
    child.stdout.on('end', sample);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const wallMs = performance.now() - started;
      clearInterval(poll);
      clearTimeout(timer);
      // Let stdio drain.
      setImmediate(() => resolve({ code, signal, stdout, stderr, wallMs, peakRssKb, cpuMs }));
    });
    onSpawn?.(child);
  });
}

/** Runs the built CLI, measured. Throws with its stderr when it fails (unless allowFailure). */
export async function runCli(args, { home, env = {}, allowFailure = false, ...options } = {}) {
  const result = await measure(process.execPath, [CLI, ...args], { env: cliEnv(home, env), ...options });
  if (result.code !== 0 && !allowFailure) {
    // With --json the error is a JSON object on stdout; without, it is on stderr.
    throw new Error(`mailmon ${args.join(' ')} exited ${result.code ?? result.signal}: ${`${result.stderr.trim()}\n${result.stdout.trim()}`.trim().slice(-2000)}`);
  }
  return result;
}

/** Runs a helper script under bench/ with node, measured; its last stdout line is JSON. */
export async function runScript(script, args, options = {}) {
  const result = await measure(process.execPath, [path.join(ROOT, 'bench', script), ...args], options);
  if (result.code !== 0) throw new Error(`${script} exited ${result.code ?? result.signal}: ${result.stderr.trim().slice(-2000)}`);
  const last = result.stdout.trim().split('\n').pop();
  return { ...result, output: JSON.parse(last) };
}

/** Does this CLI command exist on this build? (`--help` exits 0 only for a known command.) */
export async function commandExists(words) {
  const result = await measure(process.execPath, [CLI, ...words, '--help'], { env: cliEnv(tempHome()), timeoutMs: 30_000 });
  return result.code === 0;
}
