/**
 * Composition root of the HTTP API run alone (`mailmon api`): the storage ports of the home's
 * store, the system clock, the Prometheus registry, and wake-ups from a short poll of the event
 * log's head. The API is refused on a non-loopback address while no API key exists.
 */
import type { CliContext } from './context.js';
import { MailmonError } from '../core/errors.js';
import { isLoopbackHost } from '../core/hosts.js';
import type { Clock } from '../app/ports/clock.js';
import type { EventLog } from '../app/ports/event-log.js';
import { systemClock } from '../adapters/system/clock.js';
import { packageInfo } from '../adapters/system/package-info.js';

export interface ApiServeOptions {
  host: string;
  port: number;
  signal: AbortSignal;
  onReady: (ready: { url: string; host: string; port: number }) => void;
  onInternalError: (error: unknown) => void;
}

const HEAD_POLL_MS = 100;

/** A `waitForChange` that polls the log's head: resolves when it moves, on timeout or on abort. */
export function pollEventHead(events: Pick<EventLog, 'head'>, clock: Clock, intervalMs = HEAD_POLL_MS) {
  return async (timeoutMs: number, signal: AbortSignal): Promise<void> => {
    const start = await events.head();
    const deadline = clock.now() + timeoutMs;
    while (!signal.aborted && clock.now() < deadline) {
      await clock.sleep(Math.min(intervalMs, Math.max(0, deadline - clock.now())), signal);
      if ((await events.head()) !== start) return;
    }
  };
}

export async function serveApi(ctx: CliContext, options: ApiServeOptions): Promise<void> {
  const storage = await ctx.storage();
  if (!isLoopbackHost(options.host) && (await storage.apiKeys.countActive()) === 0) {
    throw new MailmonError('api_keys_missing', `Refusing to serve the API on ${options.host} without any API key: it is not a loopback address.`, { hint: 'Create a key first ("mailmon api-keys create"), or use --host 127.0.0.1 (the default).' });
  }
  const [{ buildApi }, { createMetrics }, { countAppendedEvents }] = await Promise.all([import('../api/server.js'), import('../api/metrics.js'), import('../api/appended-events.js')]);
  const metrics = createMetrics({ storage, clock: systemClock });
  const waitForChange = pollEventHead(storage.events, systemClock);
  const app = await buildApi({ storage, metrics, waitForChange, version: packageInfo().version, onInternalError: options.onInternalError });
  await listen(app, options).catch(async (error: unknown) => {
    await app.close();
    throw error;
  });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const urlHost = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  options.onReady({ url: `http://${urlHost}:${port}`, host: options.host, port });
  const counting = countAppendedEvents({ events: storage.events, metrics: metrics.hooks, waitForChange, signal: options.signal, onError: options.onInternalError });
  await new Promise<void>((resolve) => (options.signal.aborted ? resolve() : options.signal.addEventListener('abort', () => resolve(), { once: true })));
  await app.close();
  await counting;
}

const LISTEN_ERRORS = ['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME'];

async function listen(app: { listen(options: { host: string; port: number }): Promise<string> }, options: Pick<ApiServeOptions, 'host' | 'port'>): Promise<void> {
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!LISTEN_ERRORS.includes(code)) throw error;
    throw new MailmonError('api_listen_failed', `The API cannot listen on ${options.host}:${options.port}: ${code}.`, { hint: 'Choose another --port (0 picks a free one) or --host.', cause: error });
  }
}
