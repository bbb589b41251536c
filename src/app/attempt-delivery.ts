/**
 * One attempt of a claimed delivery: send it with the endpoint's current target, then commit
 * the outcome, the next attempt (per core/delivery-schedule) and the endpoint's health together.
 * An attempt cancelled by a graceful stop is released back to pending, not counted.
 */
import { healthAfterAttempt, nextStep } from '../core/delivery-schedule.js';
import { current, type Live } from '../core/live.js';
import type { AttemptResult, ClaimedDelivery } from './ports/delivery-queue.js';
import type { Storage } from './ports/storage.js';
import type { DeliveryResult, WebhookRequest } from './ports/webhook-sender.js';
import { webhookRequest } from './webhook-request.js';
import { endpointSecrets, type SecretReader } from './endpoint-target.js';

export interface AttemptDeps {
  storage: Pick<Storage, 'endpoints' | 'deliveries'>;
  /** This worker's claim holder id: outcomes are recorded only while it still holds the claim. */
  holder: string;
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
  const { endpoints, deliveries } = deps.storage;
  const endpoint = await endpoints.get(delivery.endpointId);
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
    await deliveries.release(delivery.id, deps.holder);
    return null;
  }
  const finishedAt = deps.now();
  // Re-read inside the decision so a concurrent attempt's health update is not lost.
  const latest = (await endpoints.get(delivery.endpointId)) ?? endpoint;
  const health = healthAfterAttempt(latest, result, finishedAt);
  const step = nextStep({ attempt: delivery.attempt, outcome: result, scheduleMs: current(deps.scheduleMs), random: deps.random, endpointDisabled: !health.enabled });
  const next = step.kind === 'retry' ? { id: deps.newDeliveryId(), scheduledAt: finishedAt + step.delayMs } : null;
  if (!(await deliveries.recordOutcome({ delivery, holder: deps.holder, result, finishedAt, next, abandoned: step.kind === 'abandon', health }))) return null;
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
