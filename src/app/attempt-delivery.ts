/**
 * One attempt of a claimed delivery: send it with the endpoint's current target, then commit
 * the outcome, the next attempt (per core/delivery-schedule) and the endpoint's health together.
 * An attempt cancelled by a graceful stop is released back to pending, not counted.
 */
import type Database from 'better-sqlite3';
import { healthAfterAttempt, nextStep } from '../core/delivery-schedule.js';
import { current, type Live } from '../core/live.js';
import { DeliveryRepository, type AttemptResult, type ClaimedDelivery } from '../adapters/sqlite/delivery-repository.js';
import { EndpointRepository } from '../adapters/sqlite/endpoint-repository.js';
import type { DeliveryResult, WebhookRequest } from './ports/webhook-sender.js';
import { webhookRequest } from './webhook-request.js';
import { endpointSecrets, type SecretReader } from './endpoint-target.js';

export interface AttemptDeps {
  sqlite: Database.Database;
  vault: SecretReader;
  /** Optional memo of endpoint secrets (the vault may decrypt or ask the keychain on every call). */
  secretCache?: Map<string, { key: string; secrets: string[]; until: number }>;
  send: (request: WebhookRequest) => Promise<DeliveryResult>;
  now: () => number;
  random: () => number;
  newDeliveryId: () => string;
  /** Read at each attempt: a reloaded delivery.retry-schedule / delivery.timeout applies at once. */
  scheduleMs: Live<readonly number[]>;
  timeoutMs: Live<number>;
  userAgent: string;
}

export interface AttemptRecord {
  deliveryId: string;
  endpointId: string;
  eventId: string;
  attempt: number;
  ok: boolean;
  status: number | null;
  errorClass: string | null;
  nextAttemptAt: number | null;
  abandoned: boolean;
  latencyMs: number;
  errorMessage: string | null;
  /** The endpoint's health moved (e.g. active → failing → disabled) because of this attempt. */
  healthChange: { from: string; to: string; reason: string } | null;
}

export async function attemptDelivery(deps: AttemptDeps, delivery: ClaimedDelivery, signal: AbortSignal): Promise<AttemptRecord | null> {
  const deliveries = new DeliveryRepository(deps.sqlite);
  const endpoint = new EndpointRepository(deps.sqlite).get(delivery.endpointId);
  if (!endpoint) return null; // removed while in flight: its rows went with it
  let result: AttemptResult & { retryAfterMs: number | null };
  try {
    const secrets = await cachedSecrets(deps, endpoint);
    result = await deps.send(webhookRequest(
      { url: endpoint.url, headers: endpoint.headers, secrets, scheme: endpoint.signatureScheme },
      { body: delivery.body, eventId: delivery.eventId, eventType: delivery.eventType, attempt: delivery.attempt, deliveryId: delivery.id },
      { timeoutMs: current(deps.timeoutMs), signal, userAgent: deps.userAgent, now: deps.now },
    ));
  } catch (error) {
    result = { ok: false, status: null, latencyMs: 0, responseHeaders: {}, responseBody: '', errorClass: 'secret_unavailable', errorMessage: (error as Error).message, retryAfterMs: null };
  }
  if (!result.ok && (result.errorClass === 'aborted' || signal.aborted)) {
    deliveries.release(delivery.id);
    return null;
  }
  const finishedAt = deps.now();
  // Re-read inside the decision so a concurrent attempt's health update is not lost.
  const latest = new EndpointRepository(deps.sqlite).get(delivery.endpointId) ?? endpoint;
  const health = healthAfterAttempt(latest, result, finishedAt);
  const step = nextStep({ attempt: delivery.attempt, outcome: result, scheduleMs: current(deps.scheduleMs), random: deps.random, endpointDisabled: !health.enabled });
  const next = step.kind === 'retry' ? { id: deps.newDeliveryId(), scheduledAt: finishedAt + step.delayMs } : null;
  if (!deliveries.recordOutcome({ delivery, result, finishedAt, next, abandoned: step.kind === 'abandon', health })) return null;
  return {
    deliveryId: delivery.id, endpointId: delivery.endpointId, eventId: delivery.eventId, attempt: delivery.attempt, ok: result.ok,
    status: result.status, errorClass: result.errorClass, nextAttemptAt: next?.scheduledAt ?? null, abandoned: step.kind === 'abandon',
    latencyMs: result.latencyMs, errorMessage: result.errorMessage, healthChange: health.change ?? null,
  };
}

const SECRET_CACHE_MS = 30_000;

/** A rotation changes previous_secret_expires_at, which is part of the key: it is seen at once. */
async function cachedSecrets(deps: AttemptDeps, endpoint: Parameters<typeof endpointSecrets>[1]): Promise<string[]> {
  const now = deps.now();
  const key = `${endpoint.previousSecretExpiresAt ?? 0}`;
  const cached = deps.secretCache?.get(endpoint.id);
  if (cached && cached.key === key && now < cached.until) return cached.secrets;
  const secrets = await endpointSecrets(deps.vault, endpoint, now);
  const until = Math.min(now + SECRET_CACHE_MS, endpoint.previousSecretExpiresAt !== null && endpoint.previousSecretExpiresAt > now ? endpoint.previousSecretExpiresAt : Infinity);
  deps.secretCache?.set(endpoint.id, { key, secrets, until });
  return secrets;
}
