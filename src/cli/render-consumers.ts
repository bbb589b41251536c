/** Human output for `consumers list`. */
import type { ConsumerView } from '../app/consumers.js';
import { ago } from './output.js';
import { table } from './table.js';

export function renderConsumers(consumers: ConsumerView[], now = Date.now()): string {
  if (consumers.length === 0) return 'No consumers. "mailmon listen --forward-to URL" creates one per target.';
  return table(consumers, [
    { header: 'name', value: (row) => row.name },
    { header: 'forwards to', value: (row) => row.target ?? '-' },
    { header: 'at', value: (row) => `#${row.lastSequence}` },
    { header: 'behind', value: (row) => String(row.behind) },
    { header: 'state', value: (row) => (row.active ? `listening (pid ${row.pid})` : 'idle') },
    { header: 'last active', value: (row) => ago(row.lastActiveAt, now) },
  ]);
}
