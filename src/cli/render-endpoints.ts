/** Human output for `webhooks …` and `deliveries …`. */
import type { AddedEndpoint } from '../app/add-endpoint.js';
import type { EndpointDetails, EndpointListItem } from '../app/endpoint-queries.js';
import type { EndpointTestResult } from '../app/test-endpoint.js';
import type { DeliveryDetails } from '../app/delivery-queries.js';
import type { DeliveryRow } from '../app/ports/delivery-queue.js';
import { ago, isoOrDash, paint } from './output.js';
import { table } from './table.js';

const healthColor = { active: 'green', warning: 'yellow', disabled: 'red' } as const;

function subscriptionText(endpoint: Pick<EndpointListItem, 'subscriptions'>): string {
  const types = [...new Set(endpoint.subscriptions.map((rule) => rule.eventType))].join(',') || '-';
  const mailboxes = [...new Set(endpoint.subscriptions.map((rule) => rule.mailboxId ?? '*'))].join(',');
  return mailboxes === '*' ? types : `${types} @ ${mailboxes}`;
}

export function renderAddedEndpoint(added: AddedEndpoint, color: boolean): string {
  return [
    `${paint('green', '✔', color)} Added ${paint('bold', added.id, color)} → ${added.url}${added.verified ? ' (verified)' : ' (verification skipped)'}`,
    `  events:    ${added.events.join(',')}${added.mailboxIds.length > 0 ? ` @ ${added.mailboxIds.join(',')}` : ''}`,
    `  signature: ${added.signatureScheme}`,
    `  secret:    ${added.secret}`,
    paint('dim', `  Store it in your app's configuration; "mailmon webhooks secret ${added.id}" prints it again when you need it.`, color),
  ].join('\n');
}

export function renderEndpointList(endpoints: EndpointListItem[], color: boolean, now = Date.now()): string {
  if (endpoints.length === 0) return 'No webhook endpoints. Add one with "mailmon webhooks add URL".';
  return table(endpoints, [
    { header: 'id', value: (row) => row.id },
    { header: 'url', value: (row) => row.url },
    { header: 'health', value: (row) => paint(healthColor[row.health], row.enabled ? row.health : 'disabled', color) },
    { header: 'failures', value: (row) => String(row.consecutiveFailures) },
    { header: 'pending', value: (row) => String(row.pending) },
    { header: 'last delivery', value: (row) => ago(row.lastDeliveryAt, now) },
    { header: 'events', value: (row) => subscriptionText(row) },
  ]);
}

export function renderEndpoint(endpoint: EndpointDetails, color: boolean): string {
  const lines = [
    `${paint('bold', endpoint.id, color)}  ${endpoint.url}`,
    `  health:     ${paint(healthColor[endpoint.health], endpoint.enabled ? endpoint.health : 'disabled', color)}${!endpoint.enabled && endpoint.disabledReason ? ` (${endpoint.disabledReason})` : ''}`,
    `  failures:   ${endpoint.consecutiveFailures} consecutive${endpoint.failingSince !== null ? `, failing since ${isoOrDash(endpoint.failingSince)}` : ''}`,
    `  pending:    ${endpoint.pending}`,
    `  last error: ${endpoint.lastError ?? '-'}`,
    `  events:     ${subscriptionText(endpoint)}`,
    `  signature:  ${endpoint.signatureScheme}`,
    `  headers:    ${Object.keys(endpoint.headers).join(', ') || '-'}`,
    `  created:    ${isoOrDash(endpoint.createdAt)}`,
  ];
  if (endpoint.description) lines.push(`  about:      ${endpoint.description}`);
  if (endpoint.secretRotation) lines.push(`  rotation:   previous secret signs until ${isoOrDash(endpoint.secretRotation.previousSecretExpiresAt)}`);
  if (endpoint.healthChanges.length > 0) {
    lines.push('  health changes:');
    for (const change of endpoint.healthChanges) lines.push(`    ${isoOrDash(change.at)}  ${change.fromHealth} → ${change.toHealth}: ${change.reason}`);
  }
  return lines.join('\n');
}

export function renderTestResult(result: EndpointTestResult, color: boolean): string {
  const status = result.status === null ? paint('red', result.errorClass ?? 'error', color) : paint(result.ok ? 'green' : 'red', String(result.status), color);
  const lines = [`${status}  POST ${result.url}  ${result.latencyMs} ms  [${result.deliveryId}]`];
  if (!result.ok && result.errorMessage) lines.push(paint('yellow', result.errorMessage, color));
  if (result.responseBody) lines.push(result.responseBody.slice(0, 2000));
  return lines.join('\n');
}

function statusText(row: DeliveryRow, color: boolean): string {
  const style = row.status === 'succeeded' ? 'green' : row.status === 'pending' || row.status === 'in_flight' ? 'cyan' : 'red';
  return paint(style, row.status, color);
}

export function renderDeliveryList(rows: DeliveryRow[], color: boolean): string {
  if (rows.length === 0) return 'No deliveries match.';
  return table(rows, [
    { header: 'id', value: (row) => row.id },
    { header: 'endpoint', value: (row) => row.endpointId },
    { header: 'event', value: (row) => (row.kind === 'normal' ? row.eventId : `${row.kind} ping`) },
    { header: 'attempt', value: (row) => String(row.attempt) },
    { header: 'status', value: (row) => statusText(row, color) },
    { header: 'http', value: (row) => (row.responseStatus === null ? row.errorClass ?? '-' : String(row.responseStatus)) },
    { header: 'latency', value: (row) => (row.latencyMs === null ? '-' : `${row.latencyMs} ms`) },
    { header: 'when', value: (row) => isoOrDash(row.finishedAt ?? row.scheduledAt) },
  ]);
}

export function renderDelivery(row: DeliveryDetails, color: boolean): string {
  const lines = [
    `${paint('bold', row.id, color)}  ${statusText(row, color)}  attempt ${row.attempt} (${row.kind})`,
    `  endpoint:   ${row.endpointId}`,
    `  event:      ${row.eventId}${row.eventSequence > 0 ? ` (#${row.eventSequence})` : ''}`,
    `  scheduled:  ${isoOrDash(row.scheduledAt)}`,
    `  finished:   ${isoOrDash(row.finishedAt)}`,
    `  response:   ${row.responseStatus ?? '-'}${row.latencyMs !== null ? ` in ${row.latencyMs} ms` : ''}`,
  ];
  if (row.errorClass) lines.push(`  error:      ${row.errorClass}${row.errorMessage ? ` — ${row.errorMessage}` : ''}`);
  if (row.responseHeaders && Object.keys(row.responseHeaders).length > 0) {
    lines.push('  headers:');
    for (const [name, value] of Object.entries(row.responseHeaders)) lines.push(`    ${name}: ${value}`);
  }
  if (row.responseBody) lines.push('  body:', row.responseBody.slice(0, 4000).replace(/^/gm, '    '));
  if (row.attempts.length > 1) {
    lines.push('  attempts:');
    for (const attempt of row.attempts) lines.push(`    #${attempt.attempt} ${attempt.id} ${attempt.status} ${attempt.responseStatus ?? attempt.errorClass ?? ''} ${isoOrDash(attempt.finishedAt ?? attempt.scheduledAt)}`.trimEnd());
  }
  return lines.join('\n');
}
