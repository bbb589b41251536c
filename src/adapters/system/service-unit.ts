/**
 * `daemon install | uninstall`: a user service that runs `mailmon daemon run` at login —
 * a systemd user unit on Linux, a launchd agent on macOS. Only writes (or removes) the file;
 * enabling it is left to the user, with the exact command printed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MailmonError } from '../../core/errors.js';

export interface ServiceUnitInput {
  platform: NodeJS.Platform;
  homeDir: string;
  execPath: string;
  cliPath: string;
  /** Set when MAILMON_HOME was given explicitly, so the service uses the same home. */
  mailmonHome: string | null;
}

export interface ServiceUnitResult {
  file: string;
  contents: string;
  enable: string[];
  disable: string[];
  existed: boolean;
}

const LABEL = 'dev.mailmon.daemon';

function unitFile(platform: NodeJS.Platform, homeDir: string): string {
  if (platform === 'linux') return path.join(homeDir, '.config', 'systemd', 'user', 'mailmon.service');
  if (platform === 'darwin') return path.join(homeDir, 'Library', 'LaunchAgents', `${LABEL}.plist`);
  throw new MailmonError('usage', `Installing a user service is not supported on ${platform}.`, { hint: 'Run "mailmon daemon start" instead (or start "mailmon daemon run" with your own service manager).' });
}

export function serviceUnit(input: ServiceUnitInput): ServiceUnitResult {
  const file = unitFile(input.platform, input.homeDir);
  const existed = fs.existsSync(file);
  if (input.platform === 'linux') {
    const contents = [
      '[Unit]',
      'Description=mailmon daemon: keeps Gmail mailboxes in sync and delivers their events',
      'After=network-online.target',
      '',
      '[Service]',
      `ExecStart=${quote(input.execPath)} ${quote(input.cliPath)} daemon run`,
      ...(input.mailmonHome ? [`Environment=MAILMON_HOME=${quote(input.mailmonHome)}`] : []),
      'Restart=on-failure',
      'RestartSec=5',
      '',
      '[Install]',
      'WantedBy=default.target',
      '',
    ].join('\n');
    return { file, contents, existed, enable: ['systemctl --user daemon-reload', 'systemctl --user enable --now mailmon.service'], disable: ['systemctl --user disable --now mailmon.service'] };
  }
  const env = input.mailmonHome ? `  <key>EnvironmentVariables</key>\n  <dict><key>MAILMON_HOME</key><string>${xml(input.mailmonHome)}</string></dict>\n` : '';
  const contents = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>${LABEL}</string>
  <key>ProgramArguments</key>
  <array><string>${xml(input.execPath)}</string><string>${xml(input.cliPath)}</string><string>daemon</string><string>run</string></array>
${env}  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>
</dict>
</plist>
`;
  return { file, contents, existed, enable: [`launchctl bootstrap gui/$(id -u) ${file}`], disable: [`launchctl bootout gui/$(id -u) ${file}`] };
}

export function installServiceUnit(input: ServiceUnitInput): ServiceUnitResult {
  const unit = serviceUnit(input);
  fs.mkdirSync(path.dirname(unit.file), { recursive: true });
  fs.writeFileSync(unit.file, unit.contents, { mode: 0o644 });
  return unit;
}

export function uninstallServiceUnit(input: { platform: NodeJS.Platform; homeDir: string }): { file: string; removed: boolean; disable: string[] } {
  const file = unitFile(input.platform, input.homeDir);
  const removed = fs.existsSync(file);
  fs.rmSync(file, { force: true });
  return { file, removed, disable: input.platform === 'linux' ? ['systemctl --user disable --now mailmon.service', 'systemctl --user daemon-reload'] : [`launchctl bootout gui/$(id -u) ${file}`] };
}

function quote(value: string): string {
  return /[\s"\\]/.test(value) ? `"${value.replace(/(["\\])/g, '\\$1')}"` : value;
}

function xml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
