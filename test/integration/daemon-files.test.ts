/** The daemon's files: pid file (one per home, stale replaced), JSON log rotation, the control socket, dead leases. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimPidFile, liveDaemon, releasePidFile } from '../../src/adapters/system/pid-file.js';
import { openJsonLog, readLogTail } from '../../src/adapters/system/json-log.js';
import { controlRequest, startControlServer } from '../../src/adapters/system/control-socket.js';
import { removeDeadLeases, releaseLeasesOf } from '../../src/adapters/system/lease.js';
import { serviceUnit } from '../../src/adapters/system/service-unit.js';
import { MailmonError } from '../../src/core/errors.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-daemon-files-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('pid file', () => {
  it('refuses a second live daemon and replaces a stale pid file', () => {
    const file = path.join(tempDir(), 'run', 'daemon.pid');
    // A live "other daemon": our parent process.
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ pid: process.ppid, hostname: os.hostname(), startedAt: 1, version: '0.0.1' }));
    expect(() => claimPidFile(file, { pid: process.pid, startedAt: 2, version: '0.1.0' })).toThrowError(expect.objectContaining({ code: 'daemon_running' }) as unknown as MailmonError);
    expect(liveDaemon(file)?.pid).toBe(process.ppid);

    const stale = deadPid();
    fs.writeFileSync(file, JSON.stringify({ pid: stale, hostname: os.hostname(), startedAt: 1, version: '0.0.1' }));
    expect(liveDaemon(file)).toBeNull();
    const claim = claimPidFile(file, { pid: process.pid, startedAt: 2, version: '0.1.0' });
    expect(claim.replaced?.pid).toBe(stale);
    expect(liveDaemon(file)?.pid).toBe(process.pid);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    releasePidFile(file);
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('JSON log', () => {
  it('appends JSON lines, rotates by size keeping N files, and reads the tail across the rotation', () => {
    const file = path.join(tempDir(), 'logs', 'daemon.log');
    const logger = openJsonLog({ file, maxBytes: 400, keep: 2 });
    for (let index = 0; index < 30; index++) logger.info('tick', { index });
    const files = fs.readdirSync(path.dirname(file)).sort();
    expect(files).toEqual(['daemon.log', 'daemon.log.1', 'daemon.log.2']);
    for (const name of files) expect(fs.statSync(path.join(path.dirname(file), name)).size).toBeLessThanOrEqual(400);
    const tail = readLogTail(file, 5);
    expect(tail.map((entry) => entry.index)).toEqual([25, 26, 27, 28, 29]);
    expect(tail[0]).toMatchObject({ level: 'info', msg: 'tick' });
  });
});

describe('control socket', () => {
  it('answers JSON over a private unix socket and maps daemon errors to MailmonErrors', async () => {
    const socket = path.join(tempDir(), 'run', 'daemon.sock');
    const server = await startControlServer(socket, async (request) => {
      if (request.path === '/echo') return { status: 200, body: { got: request.body, method: request.method } };
      throw new MailmonError('mailbox_not_found', 'No mailbox "x".', { hint: 'Run "mailmon mailboxes".' });
    });
    try {
      expect(fs.statSync(socket).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.dirname(socket)).mode & 0o777).toBe(0o700);
      expect(await controlRequest(socket, 'POST', '/echo', { a: 1 })).toEqual({ got: { a: 1 }, method: 'POST' });
      await expect(controlRequest(socket, 'GET', '/other')).rejects.toMatchObject({ code: 'mailbox_not_found', message: 'No mailbox "x".', hint: 'Run "mailmon mailboxes".' });
    } finally {
      await server.close();
    }
    expect(fs.existsSync(socket)).toBe(false);
    await expect(controlRequest(socket, 'GET', '/ping')).rejects.toMatchObject({ code: 'daemon_not_running' });
  });
});

describe('lease recovery', () => {
  it('removes the lease files of dead holders and, on shutdown, the ones this process still names', () => {
    const leases = tempDir();
    const holder = (pid: number) => JSON.stringify({ pid, hostname: os.hostname(), token: 't', epoch: 1, acquiredAt: 1, purpose: 'sync' });
    fs.writeFileSync(path.join(leases, 'mbx_dead.lease'), holder(deadPid()));
    fs.writeFileSync(path.join(leases, 'mbx_live.lease'), holder(process.ppid));
    fs.writeFileSync(path.join(leases, 'mbx_mine.lease'), holder(process.pid));
    expect(removeDeadLeases(leases)).toEqual(['mbx_dead']);
    expect(releaseLeasesOf(leases)).toEqual(['mbx_mine']);
    expect(fs.readdirSync(leases)).toEqual(['mbx_live.lease']);
  });
});

describe('user service unit', () => {
  it('writes a systemd user unit on Linux and a launchd agent on macOS, with the explicit home', () => {
    const homeDir = tempDir();
    const linux = serviceUnit({ platform: 'linux', homeDir, execPath: '/usr/bin/node', cliPath: '/opt/mailmon/bin/run.js', mailmonHome: '/data/mailmon' });
    expect(linux.file).toBe(path.join(homeDir, '.config/systemd/user/mailmon.service'));
    expect(linux.contents).toContain('ExecStart=/usr/bin/node /opt/mailmon/bin/run.js daemon run\nEnvironment=MAILMON_HOME=/data/mailmon\n');
    expect(linux.enable).toEqual(['systemctl --user daemon-reload', 'systemctl --user enable --now mailmon.service']);
    const mac = serviceUnit({ platform: 'darwin', homeDir, execPath: '/usr/local/bin/node', cliPath: '/opt/mailmon/bin/run.js', mailmonHome: null });
    expect(mac.file).toBe(path.join(homeDir, 'Library/LaunchAgents/dev.mailmon.daemon.plist'));
    expect(mac.contents).toContain('<string>/usr/local/bin/node</string><string>/opt/mailmon/bin/run.js</string><string>daemon</string><string>run</string>');
    expect(mac.contents).not.toContain('MAILMON_HOME');
  });
});
