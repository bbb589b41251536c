/** Human renderings for `daemon status` and `mailmon status` (plain text; the ink screen draws the same data). */
import { formatUptime } from '../core/daemon-status.js';
import { formatEta } from '../core/progress.js';
import { describeHolder } from '../core/lease-holders.js';
import type { DaemonStatusResult } from '../app/daemon-control.js';
import type { StatusReport, SyncProgressReport } from '../app/status-report.js';
import { ago, paint, plural } from './output.js';
import { table } from './table.js';
import { pushCell } from './render-state.js';

export function renderDaemonStatus(status: DaemonStatusResult, color: boolean, now = Date.now()): string {
  const lines = [
    status.running
      ? `${paint('green', '●', color)} daemon running (pid ${status.pid}, up ${formatUptime(status.uptimeMs ?? 0)}, mailmon ${status.version})`
      : `${paint('red', '○', color)} daemon not running${status.stalePidFile ? ' (a stale pid file from a crash is left; "mailmon daemon start" replaces it)' : ''}`,
    `home  ${status.home}`,
    `log   ${status.logFile}`,
  ];
  if (status.api) lines.push(`api   ${status.api.url} (port ${status.api.port})`);
  if (status.mailboxes.length > 0) {
    lines.push('', table(status.mailboxes, [
      { header: 'mailbox', value: (row) => row.emailAddress },
      { header: 'status', value: (row) => row.status },
      ...(status.mailboxes.some((row) => row.holder) ? [{ header: 'held by', value: (row: DaemonStatusResult['mailboxes'][number]) => describeHolder(row.holder) }] : []),
      { header: 'last sync', value: (row) => ago(row.lastSuccessAt, now) },
      { header: 'last error', value: (row) => row.lastError ?? '-' },
    ]).trimEnd());
  }
  return lines.join('\n');
}

export function renderStatusReport(report: StatusReport, color: boolean): string {
  const now = report.generatedAt;
  const daemon = report.daemon.running
    ? `${paint('green', '●', color)} Daemon running (pid ${report.daemon.pid}, up ${formatUptime(report.daemon.uptimeMs ?? 0)})`
    : `${paint('red', '○', color)} Daemon not running ("mailmon daemon start" keeps mailboxes in sync)`;
  const sections = [daemon, ''];
  sections.push(paint('bold', 'Mailboxes', color));
  sections.push(report.mailboxes.length === 0 ? '  none connected ("mailmon login")' : indent(table(report.mailboxes, [
    { header: 'mailbox', value: (row) => row.emailAddress },
    { header: 'status', value: (row) => `${row.status}${row.progress ? ` (${describeProgress(row.progress)})` : row.syncing ? ' (syncing)' : ''}` },
    ...(report.mailboxes.some((row) => row.holder) ? [{ header: 'held by', value: (row: StatusReport['mailboxes'][number]) => describeHolder(row.holder) }] : []),
    { header: 'last success', value: (row) => ago(row.lastSuccessAt, now) },
    { header: 'lag', value: (row) => (row.lagMs === null ? '-' : formatUptime(row.lagMs)) },
    { header: 'cursor', value: (row) => row.cursor ?? '-' },
    { header: 'messages', value: (row) => String(row.messageCount) },
    { header: 'last error', value: (row) => row.lastError ?? '-' },
    ...(report.mailboxes.some((row) => row.push) ? [{ header: 'push', value: (row: StatusReport['mailboxes'][number]) => pushCell(row.push) }] : []),
  ])));
  if (report.push) {
    const pull = report.push.pull === 'failing' ? paint('red', `failing: ${report.push.lastError ?? 'unknown error'} (polling at the normal interval)`, color) : report.push.pull;
    sections.push(`  push: pulling ${report.push.subscription}: ${pull}`);
  }
  sections.push('', paint('bold', 'Event log', color));
  sections.push(`  ${plural(report.events.count, 'event')}${report.events.newest ? `; newest #${report.events.newest.sequence} ${report.events.newest.type} ${ago(report.events.newest.occurredAt, now)}` : ''}`);
  sections.push('', paint('bold', 'Listeners', color));
  sections.push(report.consumers.length === 0 ? '  none' : indent(table(report.consumers, [
    { header: 'consumer', value: (row) => row.name },
    { header: 'at', value: (row) => String(row.lastSequence) },
    { header: 'behind', value: (row) => String(row.behind) },
    { header: 'last seen', value: (row) => ago(row.heartbeatAt, now) },
  ])));
  if (report.consumers.length > 0) sections.push(paint('dim', '  ("mailmon consumers list" shows them all; "mailmon consumers remove NAME" drops one you no longer use)', color));
  sections.push('', paint('bold', 'Endpoints', color));
  sections.push(report.endpoints.length === 0 ? '  none' : indent(table(report.endpoints, [
    { header: 'endpoint', value: (row) => row.url },
    { header: 'enabled', value: (row) => (row.enabled ? 'yes' : 'no') },
    { header: 'pending', value: (row) => String(row.pending) },
    { header: 'health', value: (row) => (row.enabled ? row.health : 'disabled') },
    { header: 'failures', value: (row) => String(row.consecutiveFailures) },
    { header: 'last delivery', value: (row) => ago(row.lastDeliveryAt, now) },
    { header: 'last error', value: (row) => row.lastError ?? '-' },
  ])));
  return sections.join('\n').trimEnd();
}

/** `full sync 1,200/2,000 60%, ETA 12s` (or `full sync paused at …` when no sync runs). */
export function describeProgress(progress: SyncProgressReport): string {
  const count = `${progress.processed.toLocaleString('en-US')}/${progress.total.toLocaleString('en-US')} ${progress.percent}%`;
  if (progress.phase === 'paused') return `full sync paused at ${count}`;
  return `full sync ${count}, ETA ${formatEta(progress.etaSeconds)}`;
}

function indent(text: string): string {
  return text.trimEnd().split('\n').map((line) => `  ${line}`).join('\n');
}
