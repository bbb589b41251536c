/**
 * The Endpoints port on PostgreSQL (src/app/ports/endpoints.ts). Every health change is written
 * together with the row it changes, in one transaction; concurrent changes from any number of
 * daemons each keep their history row. Removing an endpoint removes its subscriptions, health
 * history and deliveries (foreign keys cascade).
 */
import type pg from 'pg';
import type { HealthUpdate, SubscriptionRule } from '../../core/delivery-schedule.js';
import type { EndpointRow, Endpoints, HealthChangeRow, HealthOptions, NewEndpoint } from '../../app/ports/endpoints.js';
import type { PostgresStore } from './database.js';
import { inTransaction, query, rows, translatingErrors, type Queryable } from './pg-queries.js';

const SELECT = `select id, url, description, signature_scheme as "signatureScheme", headers, previous_secret_expires_at as "previousSecretExpiresAt",
  health, enabled, disabled_reason as "disabledReason", consecutive_failures as "consecutiveFailures", failing_since as "failingSince",
  last_enqueued_sequence as "lastEnqueuedSequence", created_at as "createdAt", updated_at as "updatedAt" from webhook_endpoints`;

export function postgresEndpoints(store: Pick<PostgresStore, 'pool' | 'display'>): Endpoints {
  const { pool } = store;
  return translatingErrors<Endpoints>({
    list: () => rows<EndpointRow>(pool, `${SELECT} order by created_at, id`),
    get: async (id) => (await rows<EndpointRow>(pool, `${SELECT} where id = $1`, [id]))[0],
    subscriptions: (id) => rows<SubscriptionRule>(pool, 'select event_type as "eventType", mailbox_id as "mailboxId" from subscriptions where endpoint_id = $1 order by id', [id]),
    healthChanges: async (id, limit = 20) =>
      (await rows<HealthChangeRow>(pool, 'select from_health as "fromHealth", to_health as "toHealth", reason, at from endpoint_health_changes where endpoint_id = $1 order by id desc limit $2', [id, limit])).reverse(),
    insert: (endpoint, rules) => inTransaction(pool, (client) => insertEndpoint(client, endpoint, rules)),
    remove: async (id) => ((await query(pool, 'delete from webhook_endpoints where id = $1', [id])).rowCount ?? 0) > 0,
    applyHealth: (id, update, now, options) => inTransaction(pool, (client) => applyHealth(client, id, update, now, options)),
    setPreviousSecretExpiry: async (id, expiresAt, now) => {
      await query(pool, 'update webhook_endpoints set previous_secret_expires_at = $1, updated_at = $2 where id = $3', [expiresAt, now, id]);
    },
  }, store.display);
}

async function insertEndpoint(client: pg.PoolClient, endpoint: NewEndpoint, rules: readonly SubscriptionRule[]): Promise<void> {
  await query(client, `insert into webhook_endpoints (id, url, description, signature_scheme, headers, last_enqueued_sequence, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $7)`, [
    endpoint.id, endpoint.url, endpoint.description, endpoint.signatureScheme, JSON.stringify(endpoint.headers), endpoint.lastEnqueuedSequence, endpoint.createdAt,
  ]);
  if (rules.length === 0) return;
  // One statement for all rules; `with ordinality` keeps their order in the identity ids.
  await query(client, `insert into subscriptions (endpoint_id, event_type, mailbox_id)
    select $1, r.event_type, r.mailbox_id from unnest($2::text[], $3::text[]) with ordinality as r(event_type, mailbox_id, n) order by r.n`, [
    endpoint.id, rules.map((rule) => rule.eventType), rules.map((rule) => rule.mailboxId),
  ]);
}

async function applyHealth(client: pg.PoolClient, id: string, update: HealthUpdate, now: number, options: HealthOptions = {}): Promise<void> {
  await applyHealthUpdate(client, id, update, now, options.disabledReason);
  if (options.rescheduleBacklog) {
    await query(client, `update deliveries set scheduled_at = $1 where endpoint_id = $2 and status = 'pending' and scheduled_at > $1`, [now, id]);
  }
}

/** The health update and, when it carries a change, its history row; inside the caller's transaction. */
export async function applyHealthUpdate(client: Queryable, id: string, update: HealthUpdate, now: number, disabledReason?: string | null): Promise<void> {
  const reason = disabledReason !== undefined ? disabledReason : update.enabled ? null : (update.change?.reason ?? null);
  await query(client, `update webhook_endpoints set health = $1, enabled = $2, consecutive_failures = $3, failing_since = $4,
    disabled_reason = coalesce($5, case when $2 then null else disabled_reason end), updated_at = $6 where id = $7`, [
    update.health, update.enabled, update.consecutiveFailures, update.failingSince, reason, now, id,
  ]);
  if (update.change) {
    await query(client, 'insert into endpoint_health_changes (endpoint_id, from_health, to_health, reason, at) values ($1, $2, $3, $4, $5)', [id, update.change.from, update.change.to, update.change.reason, now]);
  }
}
