/**
 * The TypeScript SDK of the mailmon HTTP API: `import { MailmonClient } from 'mailmon/sdk'`.
 * Typed by the OpenAPI document (openapi-typescript at build time) through openapi-fetch; adds
 * cursor pagination and an event stream that reconnects by itself and resumes with
 * `Last-Event-ID`, so a dropped connection neither loses nor repeats an event.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { MailmonEvent } from '../core/events.js';
import type { operations, paths } from './openapi.js';

export type { paths } from './openapi.js';
export type { MailmonEvent } from '../core/events.js';

type Json<O extends keyof operations, S extends keyof operations[O]['responses']> = operations[O]['responses'][S] extends { content: { 'application/json': infer T } } ? T : never;

export type Mailbox = Json<'getMailbox', 200>;
export type ApiErrorBody = Json<'getMailbox', 404>;
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
export type SyncRun = Json<'requestSync', 202>['lastRun'] & object;
export type SyncRequest = Json<'requestSync', 202>;
export type Endpoint = Json<'getEndpoint', 200>;
export type CreatedEndpoint = Json<'createEndpoint', 201>;
export type NewEndpoint = operations['createEndpoint']['requestBody']['content']['application/json'];
export type EndpointSecret = Json<'rotateEndpointSecret', 200>;
export type EndpointTestResult = Json<'testEndpoint', 200>;
export type Delivery = Json<'getDelivery', 200>;
export type DeliveryQuery = NonNullable<operations['listDeliveries']['parameters']['query']>;
export type Message = Json<'getMessage', 200>;
export type Replay = Json<'getReplay', 200>;
export type Thread = Json<'getThread', 200>;
export type MessageQuery = NonNullable<operations['listMessages']['parameters']['query']>;
export type ThreadQuery = NonNullable<operations['listThreads']['parameters']['query']>;
export type MailboxQuery = NonNullable<operations['listMailboxes']['parameters']['query']>;
export type EventQuery = NonNullable<operations['listEvents']['parameters']['query']>;

/** A failed API call: the HTTP status and the API's error (code, message, hint). */
export class MailmonApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint: string | null,
  ) {
    super(message);
    this.name = 'MailmonApiError';
  }
}

export interface MailmonClientOptions {
  /** e.g. http://127.0.0.1:7464 */
  baseUrl: string;
  /** mm_… (see `mailmon api-keys create`). */
  apiKey: string;
  fetch?: (input: Request) => Promise<Response>;
}

export interface StreamOptions {
  /** Start after this sequence; omitted = only events from now on. */
  after?: number;
  /** Event types or patterns, comma-separated (`message.*`). */
  type?: string;
  mailboxId?: string;
  signal?: AbortSignal;
  /** Wait before reconnecting after a drop (default 1 s). */
  reconnectDelayMs?: number;
}

export class MailmonClient {
  /** The typed openapi-fetch client, for anything the helpers below do not cover. */
  readonly api: Client<paths>;

  constructor(options: MailmonClientOptions) {
    this.api = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ''), headers: { authorization: `Bearer ${options.apiKey}` }, fetch: options.fetch });
  }

  async health(): Promise<Json<'health', 200>> {
    return unwrap(await this.api.GET('/healthz'));
  }

  /** The Prometheus text exposition. */
  async metrics(): Promise<string> {
    const result = await this.api.GET('/metrics', { parseAs: 'text' });
    if (!result.response.ok) throw await apiError(result.response, result.error);
    return result.data as unknown as string;
  }

  async listMailboxes(query: MailboxQuery = {}): Promise<Page<Mailbox>> {
    return unwrap(await this.api.GET('/v1/mailboxes', { params: { query } }));
  }

  async getMailbox(id: string): Promise<Mailbox> {
    return unwrap(await this.api.GET('/v1/mailboxes/{id}', { params: { path: { id } } }));
  }

  // The document types an event's `data` loosely; each body is exactly a MailmonEvent.
  async listEvents(query: EventQuery = {}): Promise<Page<MailmonEvent>> {
    return (await unwrap(await this.api.GET('/v1/events', { params: { query } }))) as unknown as Page<MailmonEvent>;
  }

  async getEvent(idOrSequence: string): Promise<MailmonEvent> {
    return (await unwrap(await this.api.GET('/v1/events/{id}', { params: { path: { id: idOrSequence } } }))) as unknown as MailmonEvent;
  }

  /** Messages newest first: filter by mailboxId, labelId, threadId, text (q). */
  async listMessages(query: MessageQuery = {}): Promise<Page<Message>> {
    return unwrap(await this.api.GET('/v1/messages', { params: { query } }));
  }

  async getMessage(id: string): Promise<Message> {
    return unwrap(await this.api.GET('/v1/messages/{id}', { params: { path: { id } } }));
  }

  async listThreads(query: ThreadQuery = {}): Promise<Page<Json<'listThreads', 200>['data'][number]>> {
    return unwrap(await this.api.GET('/v1/threads', { params: { query } }));
  }

  /** A thread with its messages, oldest first. */
  async getThread(id: string): Promise<Thread> {
    return unwrap(await this.api.GET('/v1/threads/{id}', { params: { path: { id } } }));
  }

  /** Every matching message, page after page. */
  messages(query: Omit<MessageQuery, 'after'> = {}): AsyncGenerator<Message> {
    return paginate((after) => this.listMessages({ ...query, after }));
  }

  /** Re-sends a window of the log (same event ids) to an endpoint or a URL, in the background; poll getReplay. */
  async createReplay(replay: operations['createReplay']['requestBody']['content']['application/json']): Promise<Replay> {
    return unwrap(await this.api.POST('/v1/replays', { body: replay }));
  }

  async getReplay(id: string): Promise<Replay> {
    return unwrap(await this.api.GET('/v1/replays/{id}', { params: { path: { id } } }));
  }

  /** A mailbox's latest sync runs, newest first. */
  async listSyncRuns(mailboxId: string, query: { limit?: number } = {}): Promise<Page<SyncRun>> {
    return unwrap(await this.api.GET('/v1/mailboxes/{id}/sync-runs', { params: { path: { id: mailboxId }, query } }));
  }

  /** Wakes the daemon to sync the mailbox now (a write key); poll listSyncRuns for the run. */
  async requestSync(mailboxId: string): Promise<SyncRequest> {
    return unwrap(await this.api.POST('/v1/mailboxes/{id}/sync', { params: { path: { id: mailboxId } } }));
  }

  async listEndpoints(query: { after?: string; limit?: number } = {}): Promise<Page<Endpoint>> {
    return unwrap(await this.api.GET('/v1/endpoints', { params: { query } }));
  }

  /** Registers a webhook endpoint (it must pass the verification challenge unless skipped); the secret is in this answer only. */
  async createEndpoint(endpoint: NewEndpoint): Promise<CreatedEndpoint> {
    return unwrap(await this.api.POST('/v1/endpoints', { body: endpoint }));
  }

  async getEndpoint(id: string): Promise<Endpoint> {
    return unwrap(await this.api.GET('/v1/endpoints/{id}', { params: { path: { id } } }));
  }

  async updateEndpoint(id: string, change: { enabled: boolean }): Promise<Endpoint> {
    return unwrap(await this.api.PATCH('/v1/endpoints/{id}', { params: { path: { id } }, body: change }));
  }

  async deleteEndpoint(id: string): Promise<Json<'deleteEndpoint', 200>> {
    return unwrap(await this.api.DELETE('/v1/endpoints/{id}', { params: { path: { id } } }));
  }

  async rotateEndpointSecret(id: string): Promise<EndpointSecret> {
    return unwrap(await this.api.POST('/v1/endpoints/{id}/rotate-secret', { params: { path: { id } } }));
  }

  async testEndpoint(id: string): Promise<EndpointTestResult> {
    return unwrap(await this.api.POST('/v1/endpoints/{id}/test', { params: { path: { id } } }));
  }

  async listDeliveries(query: DeliveryQuery = {}): Promise<Page<Delivery>> {
    return unwrap(await this.api.GET('/v1/deliveries', { params: { query } }));
  }

  async getDelivery(id: string): Promise<Delivery> {
    return unwrap(await this.api.GET('/v1/deliveries/{id}', { params: { path: { id } } }));
  }

  /** A fresh attempt now for a delivery that gave up. */
  async retryDelivery(id: string): Promise<Json<'retryDelivery', 200>> {
    return unwrap(await this.api.POST('/v1/deliveries/{id}/retry', { params: { path: { id } } }));
  }

  /** Every endpoint, page after page. */
  endpoints(query: { limit?: number } = {}): AsyncGenerator<Endpoint> {
    return paginate((after) => this.listEndpoints({ ...query, after }));
  }

  /** Every mailbox, page after page. */
  mailboxes(query: Omit<MailboxQuery, 'after'> = {}): AsyncGenerator<Mailbox> {
    return paginate((after) => this.listMailboxes({ ...query, after }));
  }

  /** Every matching event up to the log's head, page after page. */
  events(query: Omit<EventQuery, 'after'> & { after?: string } = {}): AsyncGenerator<MailmonEvent> {
    return paginate((after) => this.listEvents({ ...query, after }), query.after);
  }

  /**
   * Follows the log live (Server-Sent Events): yields each event once, in sequence order,
   * reconnecting after a drop and resuming after the last event seen. Ends when `signal` aborts
   * (or the loop breaks); throws a MailmonApiError on a refusal (a bad key, a bad filter).
   */
  async *stream(options: StreamOptions = {}): AsyncGenerator<MailmonEvent> {
    let lastId = options.after === undefined ? undefined : String(options.after);
    while (!options.signal?.aborted) {
      try {
        for await (const message of this.connect(options, lastId)) {
          if (message.id !== undefined) lastId = message.id;
          if (message.data !== '') yield JSON.parse(message.data) as MailmonEvent;
        }
      } catch (error) {
        if (error instanceof MailmonApiError && error.status < 500) throw error;
        if (options.signal?.aborted) return;
      }
      await delay(options.reconnectDelayMs ?? 1_000, options.signal);
    }
  }

  private async *connect(options: StreamOptions, lastId: string | undefined): AsyncGenerator<SseMessage> {
    const result = await this.api.GET('/v1/events/stream', {
      params: { query: { type: options.type, mailboxId: options.mailboxId }, header: lastId === undefined ? {} : { 'last-event-id': lastId } },
      parseAs: 'stream',
      signal: options.signal,
    });
    if (!result.response.ok || !result.response.body) throw await apiError(result.response, undefined);
    yield* parseSse(result.response.body);
  }
}

/** Yields the items of every page, following `nextCursor` until it is null. */
export async function* paginate<T>(fetchPage: (after: string | undefined) => Promise<Page<T>>, after?: string): AsyncGenerator<T> {
  let cursor = after;
  for (;;) {
    const page = await fetchPage(cursor);
    yield* page.data;
    if (page.nextCursor === null) return;
    cursor = page.nextCursor;
  }
}

export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/** The Server-Sent Events wire format: fields until a blank line; `:` lines are comments. */
export async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = '';
  let message: SseMessage = { data: '' };
  let dataLines: string[] = [];
  let hasFields = false;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.search(/\r?\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer[newline] === '\r' ? 2 : 1));
      if (line === '') {
        if (hasFields) yield { ...message, data: dataLines.join('\n') };
        message = { data: '' };
        dataLines = [];
        hasFields = false;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      hasFields = true;
      if (field === 'data') dataLines.push(value);
      else if (field === 'id') message.id = value;
      else if (field === 'event') message.event = value;
    }
  }
}

async function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): Promise<T> {
  if (result.response.ok && result.data !== undefined) return result.data;
  throw await apiError(result.response, result.error);
}

async function apiError(response: Response, parsed: unknown): Promise<MailmonApiError> {
  let body = parsed as ApiErrorBody | undefined;
  if (body === undefined) body = (await response.json().catch(() => undefined)) as ApiErrorBody | undefined;
  const error = body?.error;
  return new MailmonApiError(response.status, error?.code ?? 'http_error', error?.message ?? `HTTP ${response.status}`, error?.hint ?? null);
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
