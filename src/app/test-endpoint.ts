/**
 * `webhooks test`: one signed `webhook.test` ping with the endpoint's real target. The attempt
 * is logged (kind `test`) but never retried and never counted toward health.
 */
import type { DeliveryResult } from './ports/webhook-sender.js';
import type { EndpointDeps } from './add-endpoint.js';
import { endpointTarget } from './endpoint-target.js';
import { webhookRequest } from './webhook-request.js';

export interface EndpointTestResult {
  /** The test delivery's id (also as deliveryId). */
  id: string;
  endpointId: string;
  deliveryId: string;
  eventId: string;
  url: string;
  ok: boolean;
  status: number | null;
  latencyMs: number;
  responseBody: string;
  errorClass: string | null;
  errorMessage: string | null;
}

export async function testEndpoint(deps: Omit<EndpointDeps, 'challenge' | 'generateSecret'> & { timeoutMs: number }, id: string): Promise<EndpointTestResult> {
  const started = deps.now();
  const target = await endpointTarget(deps.storage.endpoints, deps.vault, id, started);
  const eventId = deps.ids('evt');
  const deliveryId = deps.ids('dlv');
  const body = JSON.stringify({ id: eventId, object: 'event', type: 'webhook.test', occurredAt: new Date(started).toISOString(), data: { endpointId: id } });
  const result: DeliveryResult = await deps.send(webhookRequest(target, { body, eventId, eventType: 'webhook.test', attempt: 1, deliveryId }, { timeoutMs: deps.timeoutMs, userAgent: deps.userAgent, now: deps.now }));
  await deps.storage.deliveries.logAttempt({
    id: deliveryId, endpointId: id, eventSequence: 0, eventId, orderingKey: 'test', attempt: 1, kind: 'test', status: result.ok ? 'succeeded' : 'failed',
    scheduledAt: started, startedAt: started, finishedAt: deps.now(), responseStatus: result.status, latencyMs: result.latencyMs,
    responseHeaders: result.responseHeaders, responseBody: result.responseBody, errorClass: result.errorClass, errorMessage: result.errorMessage,
  });
  return { id: deliveryId, endpointId: id, deliveryId, eventId, url: target.url, ok: result.ok, status: result.status, latencyMs: result.latencyMs, responseBody: result.responseBody, errorClass: result.errorClass, errorMessage: result.errorMessage };
}
