/**
 * Composition root of the HTTP API, run alone (`mailmon api`) or inside the daemon: the storage
 * ports of the home's store (the log's readers woken by its ChangeNotifier), the system clock,
 * the webhook sender and vault, and the Prometheus registry. The API is refused on a
 * non-loopback address while no API key exists.
 */
import type { CliContext } from './context.js';
import { MailmonError } from '../core/errors.js';
import type { ApiLiveState } from '../core/daemon-status.js';
import { isLoopbackHost } from '../core/hosts.js';
import type { Logger } from '../core/log-entry.js';
import type { ApiService, ApiServiceFactory } from '../daemon/services.js';
import type { MetricsRegistry } from '../api/metrics.js';
import type { OnDemandHandler } from '../adapters/http/on-demand-server.js';
import type { Storage } from '../app/ports/storage.js';
import { systemClock } from '../adapters/system/clock.js';
import { newId } from '../adapters/system/ids.js';
import { packageInfo } from '../adapters/system/package-info.js';

export interface ApiServeOptions {
  host: string;
  port: number;
  signal: AbortSignal;
  onReady: (ready: ApiLiveState) => void;
  onInternalError: (error: unknown) => void;
}

export interface ApiStartOptions {
  host: string;
  port: number;
  onInternalError: (error: unknown) => void;
  requestSync: (mailboxId: string) => Promise<void>;
  /** The process's registry (the daemon's counters move in it); absent: a new one. */
  metrics?: MetricsRegistry;
  onDeliveriesChanged?: () => void;
  /** Build the routes on the first request rather than now (the daemon: most never get one). */
  onDemand?: boolean;
}

export interface RunningApi {
  address: ApiLiveState;
  /** Stops listening, ends open event streams and the appended-events counter. */
  stop(): Promise<void>;
}

/** `mailmon api`: serves until `signal` aborts. A sync request goes to the running daemon, if any. */
export async function serveApi(ctx: CliContext, options: ApiServeOptions): Promise<void> {
  const api = await startApi(ctx, { ...options, requestSync: (mailboxId) => syncThroughRunningDaemon(ctx, mailboxId) });
  options.onReady(api.address);
  await new Promise<void>((resolve) => (options.signal.aborted ? resolve() : options.signal.addEventListener('abort', () => resolve(), { once: true })));
  await api.stop();
}

export async function startApi(ctx: CliContext, options: ApiStartOptions): Promise<RunningApi> {
  const storage = await ctx.storage();
  if (!isLoopbackHost(options.host) && (await storage.apiKeys.countActive()) === 0) {
    throw new MailmonError('api_keys_missing', `Refusing to serve the API on ${options.host} without any API key: it is not a loopback address.`, { hint: 'Create a key first ("mailmon api-keys create"), or use --host 127.0.0.1 (the default).' });
  }
  const [{ createMetrics }, { countAppendedEvents }, { onDemandServer }] = await Promise.all([import('../api/metrics.js'), import('../api/appended-events.js'), import('../adapters/http/on-demand-server.js')]);
  const metrics = options.metrics ?? createMetrics({ storage, clock: systemClock });
  // The routes, their schemas and fastify are most of an idle daemon's memory: built on the first request.
  const server = onDemandServer({
    build: () => apiHandler(ctx, storage, metrics, options),
    onBuildError: options.onInternalError,
    failureBody: JSON.stringify({ error: { code: 'internal', message: 'Internal error.', hint: 'Retry; if it persists, see the mailmon logs.' } }),
    keepAliveTimeoutMs: FASTIFY_KEEP_ALIVE_MS,
  });
  await listen(() => server.listen(options.host, options.port), options);
  if (!options.onDemand) await server.ready().catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  const stopCounting = new AbortController();
  const counting = countAppendedEvents({ storage, metrics: metrics.hooks, signal: stopCounting.signal, onError: options.onInternalError });
  return {
    address: addressOf(server.server.address(), options),
    stop: async () => {
      stopCounting.abort();
      await server.stop();
      await counting;
    },
  };
}

/** fastify's default keep-alive timeout, kept now that the listening server is mailmon's. */
const FASTIFY_KEEP_ALIVE_MS = 72_000;

/** The fastify app with every route, and what it sends and replays with; close() ends its streams and replays. */
async function apiHandler(ctx: CliContext, storage: Storage, metrics: MetricsRegistry, options: ApiStartOptions): Promise<OnDemandHandler> {
  const [{ buildApi }, { endpointDeps }] = await Promise.all([import('../api/server.js'), import('./wiring-webhooks.js')]);
  const webhooks = await endpointDeps(ctx);
  const replaying = await replayJobsFor(ctx, storage);
  const closeSending = async () => {
    await replaying.close();
    await webhooks.close();
  };
  try {
    const app = await buildApi({
      replays: replaying.replays,
      storage, metrics, version: packageInfo().version, onInternalError: options.onInternalError, requestSync: options.requestSync, onDeliveriesChanged: options.onDeliveriesChanged,
      webhooks: { ...webhooks.deps, timeoutMs: () => ctx.config.durationMs('delivery.timeout') },
    });
    await app.ready();
    return {
      handle: (request, response) => app.routing(request, response),
      close: async () => {
        await app.close();
        await closeSending();
      },
    };
  } catch (error) {
    await closeSending();
    throw error;
  }
}

/**
 * The daemon's API service (null when `api.port` is off), from the `api.port` and `api.host`
 * settings, read when the daemon starts. A sync request wakes this daemon's own loop.
 */
export function apiServiceFor(ctx: CliContext, options: { logger: Logger; metrics: MetricsRegistry; onDeliveriesChanged: () => void }): ApiServiceFactory | undefined {
  const portSetting = ctx.config.get('api.port') ?? '7464';
  if (portSetting === 'off') return undefined;
  const host = ctx.config.get('api.host') ?? '127.0.0.1';
  const port = Number(portSetting);
  return (daemon) => {
    let running: RunningApi | null = null;
    const service: ApiService = {
      id: 'api',
      address: () => running?.address ?? null,
      async run(signal) {
        running = await startApi(ctx, { host, port, onDemand: true, metrics: options.metrics, onDeliveriesChanged: options.onDeliveriesChanged, requestSync: daemon.requestSync, onInternalError: (error) => options.logger.error('api internal error', { error: (error as Error)?.message ?? String(error) }) });
        options.logger.info('api listening', { ...running.address });
        await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
        await service.stop();
      },
      async stop() {
        const stopping = running;
        running = null;
        await stopping?.stop();
      },
    };
    return service;
  };
}

/** Replays run in this process with listen's sending rules; closing ends the running ones. */
async function replayJobsFor(ctx: CliContext, storage: Awaited<ReturnType<CliContext['storage']>>) {
  const [{ replayJobs }, { replayDeps, replayTarget }] = await Promise.all([import('../app/replay-jobs.js'), import('./wiring.js')]);
  const sending = await replayDeps(ctx, { maxInFlight: 8, userAgent: `mailmon/${packageInfo().version}` });
  const stop = new AbortController();
  const replays = replayJobs({ storage, sending: sending.deps, target: (input) => replayTarget(ctx, { endpoint: input.endpointId, url: input.url }), newId: () => newId('rpl'), now: Date.now, signal: stop.signal });
  return {
    replays,
    close: async () => {
      stop.abort();
      await sending.close();
    },
  };
}

async function syncThroughRunningDaemon(ctx: CliContext, mailboxId: string): Promise<void> {
  const { runningDaemonClient } = await import('./wiring-daemon.js');
  const daemon = runningDaemonClient(ctx);
  if (!daemon) throw new MailmonError('daemon_not_running', 'No daemon runs for this home: nothing syncs in the background.', { hint: 'Start one with "mailmon daemon start", or run "mailmon sync".' });
  await daemon.client.sync({ mailbox: mailboxId });
}

function addressOf(address: ReturnType<import('node:net').Server['address']>, options: Pick<ApiStartOptions, 'host' | 'port'>): ApiLiveState {
  const port = typeof address === 'object' && address ? address.port : options.port;
  const urlHost = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  return { url: `http://${urlHost}:${port}`, host: options.host, port };
}

const LISTEN_ERRORS = ['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME'];

async function listen(start: () => Promise<void>, options: Pick<ApiServeOptions, 'host' | 'port'>): Promise<void> {
  try {
    await start();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!LISTEN_ERRORS.includes(code)) throw error;
    throw new MailmonError('api_listen_failed', `The API cannot listen on ${options.host}:${options.port}: ${code}.`, { hint: 'Choose another --port (0 picks a free one) or --host.', cause: error });
  }
}
