/**
 * Runs the daemon's services side by side until the signal aborts, then drains them.
 *
 * - A service whose run() throws (or returns while the daemon is still up) crashed: it is logged
 *   and restarted after an exponential backoff (1 s, 2 s, … capped), without touching the others.
 * - A fatal error (`fatal`, e.g. a corrupt store) is not retried: the service stops and `onFatal`
 *   asks the daemon to stop.
 * - Shutdown: the shared signal aborts, every service's stop() is called, and their run() promises
 *   are awaited for at most `drainMs`; a service that does not finish in time is reported and left
 *   behind (the caller then releases leases and exits).
 */
import { backoffDelay } from '../core/backoff.js';
import type { ServiceLiveState } from '../core/daemon-status.js';
import type { Logger } from '../core/log-entry.js';
import type { Clock } from '../app/ports/clock.js';
import type { Service } from './service.js';

export interface SupervisorOptions {
  services: Service[];
  signal: AbortSignal;
  logger: Logger;
  clock: Clock;
  drainMs?: number;
  restartBaseMs?: number;
  restartMaxMs?: number;
  random?: () => number;
  /** Recognises an error no restart can fix (a corrupt store): the service is not restarted, onFatal is told. */
  fatal?: (error: unknown) => Error | undefined;
  onFatal?: (error: Error) => void;
}

export interface SupervisorResult {
  /** Services that did not finish within the drain bound. */
  unfinished: string[];
}

export class Supervisor {
  private readonly states = new Map<string, ServiceLiveState>();

  constructor(private readonly options: SupervisorOptions) {
    for (const service of options.services) this.states.set(service.id, { id: service.id, state: 'starting', restarts: 0, lastError: null });
  }

  serviceStates(): ServiceLiveState[] {
    return [...this.states.values()].map((state) => ({ ...state }));
  }

  async run(): Promise<SupervisorResult> {
    const { signal, logger } = this.options;
    const loops = this.options.services.map((service) => this.supervise(service));
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    logger.info('shutting down: draining services', { services: this.options.services.map((service) => service.id) });
    await Promise.all(this.options.services.map((service) => service.stop().catch((error: unknown) => logger.warn('service stop failed', { service: service.id, error: message(error) }))));
    const unfinished = new Set(this.options.services.map((service) => service.id));
    const drained = Promise.all(loops.map((loop, index) => loop.then(() => unfinished.delete(this.options.services[index].id))));
    const drainTimer = new AbortController();
    await Promise.race([drained, this.options.clock.sleep(this.options.drainMs ?? 5_000, drainTimer.signal)]);
    drainTimer.abort();
    if (unfinished.size > 0) logger.warn('services did not finish in time', { services: [...unfinished] });
    return { unfinished: [...unfinished] };
  }

  private async supervise(service: Service): Promise<void> {
    const { signal, logger } = this.options;
    const state = this.states.get(service.id)!;
    let failures = 0;
    while (!signal.aborted) {
      state.state = 'running';
      const startedAt = this.options.clock.now();
      try {
        await service.run(signal);
        if (signal.aborted) break;
        throw new Error('the service stopped on its own');
      } catch (error) {
        if (signal.aborted) break;
        const fatal = this.options.fatal?.(error);
        if (fatal) {
          state.lastError = fatal.message;
          logger.error('service failed for good; stopping the daemon', { service: service.id, error: fatal.message });
          this.options.onFatal?.(fatal);
          break;
        }
        // A service that ran fine for a while before crashing starts its backoff over.
        failures = this.options.clock.now() - startedAt > 60_000 ? 1 : failures + 1;
        const delay = backoffDelay(failures, { baseMs: this.options.restartBaseMs ?? 1_000, maxMs: this.options.restartMaxMs ?? 60_000, random: (this.options.random ?? Math.random)() });
        state.state = 'restarting';
        state.restarts += 1;
        state.lastError = message(error);
        logger.error('service crashed; restarting', { service: service.id, error: message(error), restartInMs: delay, restarts: state.restarts });
        await this.options.clock.sleep(delay, signal);
      }
    }
    state.state = 'stopped';
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
