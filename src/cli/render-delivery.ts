/** stripe-style delivery lines for listen/replay: `-->` an event, `<--` each response. */

let lastIso = '';
let lastTime = '';

/**
 * HH:MM:SS in local time. Hand-formatted (Intl's toLocaleTimeString costs more than the delivery
 * line itself at thousands of events per second), and once per distinct time: records come in bursts.
 */
function localTime(iso: string): string {
  if (iso === lastIso) return lastTime;
  const date = new Date(iso);
  const pad = (value: number) => String(value).padStart(2, '0');
  lastIso = iso;
  lastTime = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return lastTime;
}
import type { ForwardRecord } from '../app/forward-events.js';
import { formatDuration } from '../core/durations.js';
import { paint, plural } from './output.js';

export function renderForwardRecord(record: ForwardRecord, url: string, color: boolean): string {
  const time = localTime(record.at);
  if (record.type === 'event') return `${paint('dim', time, color)}  ${paint('cyan', '-->', color)} ${paint('bold', record.eventType, color)} [${record.id}]`;
  const status = record.status === null ? paint('red', '[ERR]', color) : record.ok ? paint('green', `[${record.status}]`, color) : paint('red', `[${record.status}]`, color);
  const attempt = record.attempt > 1 ? ` attempt ${record.attempt}` : '';
  const problem = record.ok ? '' : ` ${record.errorClass === 'http_status' ? '' : `${record.error ?? record.errorClass} `}${record.verdict === 'rejected' ? 'rejected by the app (final, not retried)' : record.gaveUp ? 'abandoned' : record.nextAttemptInMs !== null ? `retrying in ${formatDuration(record.nextAttemptInMs)}` : ''}`.trimEnd();
  const body = record.responseBody ? `\n${paint('dim', record.responseBody.slice(0, 2000), color)}` : '';
  return `${paint('dim', time, color)}  ${paint('magenta', '<--', color)} ${status} POST ${url} (${record.latencyMs} ms) [${record.id}]${attempt}${problem ? ` ${paint('yellow', problem.trim(), color)}` : ''}${body}`;
}

/** listen's banner (stderr): what it syncs, what it catches up on, then stripe's "Ready!" line. */
export function renderListenReady(info: { syncing: boolean; daemonPid: number | null; intervalMs: number | null; backlog: number; consumer: string; url: string; secret: string }): string {
  const sync = info.daemonPid !== null
    ? `Forwarding events committed by the daemon (pid ${info.daemonPid}).`
    : info.syncing
    ? `Syncing mailboxes in this process every ${Math.round((info.intervalMs ?? 0) / 1000)}s (no daemon running; --no-sync to turn off).`
    : 'Not syncing in this process: forwarding events committed by the daemon or "mailmon sync".';
  const backlog = info.backlog > 0 ? `\nCatching up on ${plural(info.backlog, 'event')} (consumer "${info.consumer}").` : '';
  return `${sync}${backlog}\nReady! Forwarding to ${info.url}. Signing secret ${info.secret} (^C to quit)\n`;
}
