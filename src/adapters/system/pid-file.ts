/**
 * The daemon's pid file (MAILMON_HOME/run/daemon.pid): at most one live daemon per home.
 * Claimed atomically (written to a temp file, hard-linked into place: link(2) fails if it exists),
 * so two racing starts cannot both win. A pid file whose process is gone (a crash, SIGKILL) is
 * stale: it is detected and replaced.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MailmonError } from '../../core/errors.js';
import { daemonAlreadyRunning } from '../../core/daemon-status.js';

export interface PidRecord {
  pid: number;
  hostname: string;
  startedAt: number;
  version: string;
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** An exited process not yet reaped by its parent (a detached daemon waits for init) still answers kill(0). */
function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false; // no /proc (macOS): kill(0) is all we have
  }
}

export function readPidFile(file: string): PidRecord | null {
  try {
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as PidRecord;
    return typeof record.pid === 'number' ? record : null;
  } catch {
    return null;
  }
}

/** The live daemon recorded in the pid file, or null (no file, unreadable, or its process is gone). */
export function liveDaemon(file: string): PidRecord | null {
  const record = readPidFile(file);
  if (!record) return null;
  if (record.hostname !== os.hostname()) return record; // cannot check another host's pid: assume alive
  return pidAlive(record.pid) ? record : null;
}

export interface ClaimResult {
  record: PidRecord;
  /** The stale record that was replaced, if any. */
  replaced: PidRecord | null;
}

export function claimPidFile(file: string, record: Omit<PidRecord, 'hostname'>): ClaimResult {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const full: PidRecord = { ...record, hostname: os.hostname() };
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(full)}\n`, { mode: 0o600 });
  let replaced: PidRecord | null = null;
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        fs.linkSync(temp, file);
        return { record: full, replaced };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const existing = readPidFile(file);
      if (existing && existing.pid !== process.pid && liveDaemon(file)) throw alreadyRunning(existing);
      replaced = existing;
      fs.rmSync(file, { force: true });
    }
    throw new MailmonError('daemon_running', 'Could not claim the daemon pid file: another daemon is starting.', { hint: 'Run "mailmon daemon status".' });
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/** Removes the pid file only if it is still ours. */
export function releasePidFile(file: string, pid = process.pid): void {
  if (readPidFile(file)?.pid === pid) fs.rmSync(file, { force: true });
}

export function alreadyRunning(record: PidRecord): MailmonError {
  return daemonAlreadyRunning(record.pid);
}
