/**
 * Cloud Pub/Sub over its v1 REST API, through google-auth-library's `client.request` (so
 * Application Default Credentials and a mailbox's OAuth client are the same path), pointed at a
 * base URL (`pubsub.api-url` / MAILMON_PUBSUB_API_URL) so the fixture server can stand in.
 * Implements the PushSubscription port (src/app/ports/pubsub.ts) plus the read-only checks `doctor`
 * runs. Pub/Sub errors become MailmonError('pubsub_error') naming what is missing.
 */
import { MailmonError, isMailmonError } from '../../core/errors.js';
import type { PushNotification, PushSubscription } from '../../app/ports/pubsub.js';

export const PUBSUB_SCOPE = 'https://www.googleapis.com/auth/pubsub';

/** The one method of google-auth-library's AuthClient this module needs. */
export interface RequestingClient {
  request<T>(options: { url: string; method: 'GET' | 'POST' | 'PUT'; data?: unknown; signal?: AbortSignal; timeout?: number; retry?: boolean }): Promise<{ status: number; data: T }>;
}

interface PubsubAnswer<T> {
  status: number;
  data: T;
}

interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string };
}

export interface PubsubClientOptions {
  apiUrl: string;
  subscription: string;
  client: RequestingClient;
  /** How long one pull may be held open by the server before we give up on it. */
  pullTimeoutMs?: number;
}

export class PubsubClient implements PushSubscription {
  readonly subscription: string;
  private readonly base: string;

  constructor(private readonly options: PubsubClientOptions) {
    this.subscription = options.subscription;
    this.base = `${options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`}v1/`;
  }

  async pull(signal: AbortSignal): Promise<PushNotification[]> {
    const answer = await this.call<{ receivedMessages?: Array<{ ackId: string; message?: { data?: string; messageId?: string } }> }>('POST', `${this.subscription}:pull`, { maxMessages: 100 }, signal, this.options.pullTimeoutMs ?? 120_000);
    if (answer.status !== 200) throw pubsubFailure(answer, `pull from ${this.subscription}`);
    return (answer.data.receivedMessages ?? []).map((received) => ({ ackId: received.ackId, messageId: received.message?.messageId ?? '', ...decodeNotification(received.message?.data) }));
  }

  async ack(ackIds: string[]): Promise<void> {
    if (ackIds.length === 0) return;
    const answer = await this.call('POST', `${this.subscription}:acknowledge`, { ackIds });
    if (answer.status !== 200) throw pubsubFailure(answer, `acknowledge on ${this.subscription}`);
  }

  /** Hands messages back at once (ack deadline 0) so another pull gets them: used by doctor's probe. */
  async nack(ackIds: string[]): Promise<void> {
    if (ackIds.length === 0) return;
    const answer = await this.call('POST', `${this.subscription}:modifyAckDeadline`, { ackIds, ackDeadlineSeconds: 0 });
    if (answer.status !== 200) throw pubsubFailure(answer, `modifyAckDeadline on ${this.subscription}`);
  }

  /** Raw GET of a topic or subscription (doctor): the status and body, errors included. */
  async get<T = Record<string, unknown>>(name: string): Promise<PubsubAnswer<T & GoogleErrorBody>> {
    return this.call<T & GoogleErrorBody>('GET', name);
  }

  /** The topic's IAM policy (doctor); the answer as given, errors included. */
  async topicPolicy(topic: string): Promise<PubsubAnswer<{ bindings?: Array<{ role?: string; members?: string[] }> } & GoogleErrorBody>> {
    return this.call('GET', `${topic}:getIamPolicy`);
  }

  /** One pull that answers at once; whatever it received is handed back (nack). Throws like pull. */
  async probe(): Promise<number> {
    const answer = await this.call<{ receivedMessages?: Array<{ ackId: string }> }>('POST', `${this.subscription}:pull`, { maxMessages: 10, returnImmediately: true });
    if (answer.status !== 200) throw pubsubFailure(answer, `pull from ${this.subscription}`);
    const ackIds = (answer.data.receivedMessages ?? []).map((received) => received.ackId);
    await this.nack(ackIds);
    return ackIds.length;
  }

  private async call<T>(method: 'GET' | 'POST' | 'PUT', path: string, data?: unknown, signal?: AbortSignal, timeout = 30_000): Promise<PubsubAnswer<T>> {
    try {
      const response = await this.options.client.request<T>({ url: `${this.base}${path}`, method, ...(data === undefined ? {} : { data }), retry: false, timeout, ...(signal ? { signal } : {}) });
      return { status: response.status, data: response.data };
    } catch (error) {
      const response = (error as { response?: { status: number; data: T } }).response;
      if (response) return { status: response.status, data: response.data };
      if (signal?.aborted) throw signal.reason;
      if (isMailmonError(error)) throw error;
      throw new MailmonError('pubsub_error', `Pub/Sub could not be reached at ${this.base}: ${(error as Error).message}.`, { hint: 'Check pubsub.api-url (MAILMON_PUBSUB_API_URL) and the network.', cause: error });
    }
  }
}

/** `message.data` is base64 of Gmail's `{"emailAddress","historyId"}`; anything else decodes to nulls (acked and skipped). */
export function decodeNotification(data: string | undefined): { emailAddress: string | null; historyId: string | null } {
  try {
    const parsed = JSON.parse(Buffer.from(data ?? '', 'base64').toString('utf8')) as { emailAddress?: unknown; historyId?: unknown };
    const historyId = typeof parsed.historyId === 'number' || (typeof parsed.historyId === 'string' && /^\d+$/.test(parsed.historyId)) ? String(parsed.historyId) : null;
    return { emailAddress: typeof parsed.emailAddress === 'string' ? parsed.emailAddress : null, historyId };
  } catch {
    return { emailAddress: null, historyId: null };
  }
}

function pubsubFailure(answer: PubsubAnswer<unknown>, what: string): MailmonError {
  const body = answer.data as GoogleErrorBody | undefined;
  const message = body?.error?.message ?? `HTTP ${answer.status}`;
  const hint =
    answer.status === 404
      ? 'Create the subscription (docs/push.md) or fix push.subscription.'
      : answer.status === 403
      ? 'The Pub/Sub credentials lack permission: grant them roles/pubsub.subscriber on the subscription (docs/push.md).'
      : answer.status === 401
      ? 'The Pub/Sub credentials were refused: run "gcloud auth application-default login" (or check push.credentials).'
      : 'mailmon keeps polling meanwhile; check "mailmon doctor".';
  return new MailmonError('pubsub_error', `Pub/Sub ${what} answered ${answer.status}: ${message}`, { hint });
}
