/**
 * Sending one signed webhook request: what listen, replay and the endpoint worker hand to the
 * HTTP client. A send never throws for anything the network or the receiver does; it reports it
 * in the result's `errorClass`.
 */

export interface WebhookRequest {
  url: string;
  /** The exact stored event JSON bytes. */
  body: string;
  eventId: string;
  eventType: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** `dlv_…`, new per attempt. */
  deliveryId: string;
  /** Current secret first; more during rotation (one signature each). */
  secrets: string[];
  scheme: 'mailmon' | 'standard' | 'both';
  /** Extra headers (e.g. from `--headers`); they cannot replace mailmon's own headers. */
  headers?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** `mailmon/<version>`. */
  userAgent: string;
  /** Wall clock in epoch milliseconds (signature timestamp, Retry-After dates). Default Date.now. */
  now?: () => number;
}

export type DeliveryErrorClass = 'timeout' | 'connection_refused' | 'connection_reset' | 'dns' | 'tls' | 'http_status' | 'redirect' | 'gone' | 'aborted' | 'invalid_url' | 'network';

export interface DeliveryResult {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  responseHeaders: Record<string, string>;
  /** UTF-8, truncated to the sender's response body limit. */
  responseBody: string;
  errorClass: DeliveryErrorClass | null;
  errorMessage: string | null;
  /** Parsed Retry-After (delta seconds or HTTP date), in milliseconds from now. */
  retryAfterMs: number | null;
}

export type SendWebhook = (request: WebhookRequest) => Promise<DeliveryResult>;
