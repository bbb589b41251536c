/**
 * The one webhook request builder: a target (URL, headers, secrets, scheme) and one attempt of
 * one event make the request the HTTP client signs and sends.
 */
import type { WebhookRequest } from './ports/webhook-sender.js';

export interface WebhookTarget {
  url: string;
  headers: Record<string, string>;
  /** Current secret first; more during rotation (one signature each). */
  secrets: string[];
  scheme: WebhookRequest['scheme'];
}

export interface WebhookAttempt {
  /** The exact stored event JSON. */
  body: string;
  eventId: string;
  eventType: string;
  attempt: number;
  deliveryId: string;
}

export function webhookRequest(target: WebhookTarget, attempt: WebhookAttempt, options: Pick<WebhookRequest, 'timeoutMs' | 'userAgent' | 'signal' | 'now'>): WebhookRequest {
  // Spelled out rather than spread: one request per delivery, thousands a second.
  return {
    url: target.url, headers: target.headers, secrets: target.secrets, scheme: target.scheme,
    body: attempt.body, eventId: attempt.eventId, eventType: attempt.eventType, attempt: attempt.attempt, deliveryId: attempt.deliveryId,
    timeoutMs: options.timeoutMs, userAgent: options.userAgent, signal: options.signal, now: options.now,
  };
}
