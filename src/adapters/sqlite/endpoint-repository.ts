/**
 * Registered endpoints' SQL on one SQLite connection (the port: src/app/ports/endpoints.ts).
 * Every health change is written together with the row it changes, in one transaction.
 */
import type Database from 'better-sqlite3';
import type { HealthUpdate, SubscriptionRule } from '../../core/delivery-schedule.js';
import type { EndpointRow, HealthChangeRow, HealthOptions, NewEndpoint } from '../../app/ports/endpoints.js';
import { cachedPreparer, type Prepare } from './statements.js';

export { previousSecretName, secretName, type EndpointRow, type HealthChangeRow, type SignatureScheme } from '../../app/ports/endpoints.js';

const SELECT = `select id, url, description, signature_scheme as signatureScheme, headers, previous_secret_expires_at as previousSecretExpiresAt,
  health, enabled, disabled_reason as disabledReason, consecutive_failures as consecutiveFailures, failing_since as failingSince,
  last_enqueued_sequence as lastEnqueuedSequence, created_at as createdAt, updated_at as updatedAt from webhook_endpoints`;

type RawEndpoint = Omit<EndpointRow, 'headers' | 'enabled'> & { headers: string; enabled: number };

function toRow(raw: RawEndpoint): EndpointRow {
  return { ...raw, headers: JSON.parse(raw.headers) as Record<string, string>, enabled: raw.enabled === 1 };
}

export class EndpointRepository {
  private readonly prepare: Prepare;

  constructor(private readonly sqlite: Database.Database) {
    this.prepare = cachedPreparer(sqlite);
  }

  insert(endpoint: NewEndpoint, rules: readonly SubscriptionRule[]): void {
    this.sqlite.transaction(() => {
      this
        .prepare(`insert into webhook_endpoints (id, url, description, signature_scheme, headers, last_enqueued_sequence, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(endpoint.id, endpoint.url, endpoint.description, endpoint.signatureScheme, JSON.stringify(endpoint.headers), endpoint.lastEnqueuedSequence, endpoint.createdAt, endpoint.createdAt);
      const insertRule = this.prepare('insert into subscriptions (endpoint_id, event_type, mailbox_id) values (?, ?, ?)');
      for (const rule of rules) insertRule.run(endpoint.id, rule.eventType, rule.mailboxId);
    })();
  }

  get(id: string): EndpointRow | undefined {
    const raw = this.prepare(`${SELECT} where id = ?`).get(id) as RawEndpoint | undefined;
    return raw ? toRow(raw) : undefined;
  }

  list(): EndpointRow[] {
    return (this.prepare(`${SELECT} order by created_at, id`).all() as RawEndpoint[]).map(toRow);
  }

  subscriptions(id: string): SubscriptionRule[] {
    return this.prepare('select event_type as eventType, mailbox_id as mailboxId from subscriptions where endpoint_id = ? order by id').all(id) as SubscriptionRule[];
  }

  healthChanges(id: string, limit = 20): HealthChangeRow[] {
    return (this.prepare('select from_health as fromHealth, to_health as toHealth, reason, at from endpoint_health_changes where endpoint_id = ? order by id desc limit ?').all(id, limit) as HealthChangeRow[]).reverse();
  }

  remove(id: string): boolean {
    return this.prepare('delete from webhook_endpoints where id = ?').run(id).changes > 0;
  }

  /** Applies a health update (from a delivery, or a command) and records the change, atomically. */
  applyHealth(id: string, update: HealthUpdate, now: number, options: HealthOptions = {}): void {
    this.sqlite.transaction(() => {
      this.applyHealthInTransaction(id, update, now, options.disabledReason);
      if (options.rescheduleBacklog) this.prepare(`update deliveries set scheduled_at = ? where endpoint_id = ? and status = 'pending' and scheduled_at > ?`).run(now, id, now);
    }).immediate();
  }

  /** For callers that already hold a transaction. */
  applyHealthInTransaction(id: string, update: HealthUpdate, now: number, disabledReason?: string | null): void {
    const reason = disabledReason !== undefined ? disabledReason : update.enabled ? null : (update.change?.reason ?? null);
    this
      .prepare(`update webhook_endpoints set health = ?, enabled = ?, consecutive_failures = ?, failing_since = ?, disabled_reason = coalesce(?, case when ? = 1 then null else disabled_reason end), updated_at = ? where id = ?`)
      .run(update.health, update.enabled ? 1 : 0, update.consecutiveFailures, update.failingSince, reason, update.enabled ? 1 : 0, now, id);
    if (update.change) {
      this.prepare('insert into endpoint_health_changes (endpoint_id, from_health, to_health, reason, at) values (?, ?, ?, ?, ?)').run(id, update.change.from, update.change.to, update.change.reason, now);
    }
  }

  setPreviousSecretExpiry(id: string, expiresAt: number | null, now: number): void {
    this.prepare('update webhook_endpoints set previous_secret_expires_at = ?, updated_at = ? where id = ?').run(expiresAt, now, id);
  }
}
