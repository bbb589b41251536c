/** stripe-style delivery lines for listen/replay: `-->` an event, `<--` each response. */
import type { ForwardRecord } from '../app/forward-events.js';
import { formatDuration } from '../core/durations.js';
import { paint } from './output.js';

export function renderForwardRecord(record: ForwardRecord, url: string, color: boolean): string {
  const time = new Date(record.at).toLocaleTimeString('en-GB', { hour12: false });
  if (record.type === 'event') return `${paint('dim', time, color)}  ${paint('cyan', '-->', color)} ${paint('bold', record.eventType, color)} [${record.id}]`;
  const status = record.status === null ? paint('red', '[ERR]', color) : record.ok ? paint('green', `[${record.status}]`, color) : paint('red', `[${record.status}]`, color);
  const attempt = record.attempt > 1 ? ` attempt ${record.attempt}` : '';
  const problem = record.ok ? '' : ` ${record.errorClass === 'http_status' ? '' : `${record.error ?? record.errorClass} `}${record.gaveUp ? 'gave up' : record.nextAttemptInMs !== null ? `retrying in ${formatDuration(record.nextAttemptInMs)}` : ''}`.trimEnd();
  const body = record.responseBody ? `\n${paint('dim', record.responseBody.slice(0, 2000), color)}` : '';
  return `${paint('dim', time, color)}  ${paint('magenta', '<--', color)} ${status} POST ${url} (${record.latencyMs} ms) [${record.id}]${attempt}${problem ? ` ${paint('yellow', problem.trim(), color)}` : ''}${body}`;
}
