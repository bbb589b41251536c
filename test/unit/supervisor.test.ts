import { describe, expect, it } from 'vitest';
import type { LogEntry, Logger } from '../../src/core/log-entry.js';
import type { Service } from '../../src/daemon/service.js';
import { Supervisor } from '../../src/daemon/supervisor.js';
import { systemClock } from '../../src/adapters/system/clock.js';
import { FakeClock } from '../support/fake-clock.js';

function memoryLogger(): Logger & { entries: Array<Pick<LogEntry, 'level' | 'msg'> & Record<string, unknown>> } {
  const entries: Array<Pick<LogEntry, 'level' | 'msg'> & Record<string, unknown>> = [];
  const at = (level: LogEntry['level']) => (msg: string, fields?: Record<string, unknown>) => entries.push({ level, msg, ...fields });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

describe('Supervisor', () => {
  it('restarts a crashed service with backoff, logs it, and leaves the others running', async () => {
    const logger = memoryLogger();
    const controller = new AbortController();
    let crashes = 0;
    let steadyRuns = 0;
    const flaky: Service = {
      id: 'flaky',
      run: async (signal) => {
        if (crashes < 2) {
          crashes += 1;
          throw new Error(`boom ${crashes}`);
        }
        await untilAborted(signal);
      },
      stop: async () => undefined,
    };
    const steady: Service = { id: 'steady', run: async (signal) => ((steadyRuns += 1), untilAborted(signal)), stop: async () => undefined };
    const supervisor = new Supervisor({ services: [flaky, steady], signal: controller.signal, logger, clock: systemClock, restartBaseMs: 5, restartMaxMs: 20, random: () => 0 });
    const running = supervisor.run();
    while (supervisor.serviceStates().find((state) => state.id === 'flaky')!.restarts < 2 || supervisor.serviceStates()[0].state !== 'running') await new Promise((resolve) => setTimeout(resolve, 5));
    expect(supervisor.serviceStates()).toEqual([
      { id: 'flaky', state: 'running', restarts: 2, lastError: 'boom 2' },
      { id: 'steady', state: 'running', restarts: 0, lastError: null },
    ]);
    expect(logger.entries.filter((entry) => entry.msg === 'service crashed; restarting').map((entry) => entry.error)).toEqual(['boom 1', 'boom 2']);
    controller.abort();
    expect(await running).toEqual({ unfinished: [] });
    expect(steadyRuns).toBe(1);
    expect(supervisor.serviceStates().map((state) => state.state)).toEqual(['stopped', 'stopped']);
  });

  it('waits out the restart backoff on the injected clock', async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    let runs = 0;
    const flaky: Service = {
      id: 'flaky',
      run: async (signal) => {
        runs += 1;
        if (runs === 1) throw new Error('boom');
        await untilAborted(signal);
      },
      stop: async () => undefined,
    };
    const supervisor = new Supervisor({ services: [flaky], signal: controller.signal, logger: memoryLogger(), clock, restartBaseMs: 10_000, restartMaxMs: 10_000, random: () => 0 });
    const running = supervisor.run();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(supervisor.serviceStates()[0]).toMatchObject({ state: 'restarting', restarts: 1 });
    expect(runs).toBe(1);
    clock.advance(10_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs).toBe(2);
    expect(supervisor.serviceStates()[0].state).toBe('running');
    controller.abort();
    expect(await running).toEqual({ unfinished: [] });
  });

  it('does not restart a service that failed for good (a corrupt store): it reports it once and lets the daemon stop', async () => {
    const logger = memoryLogger();
    const controller = new AbortController();
    let runs = 0;
    const broken: Service = {
      id: 'sync-loop',
      run: async () => {
        runs += 1;
        throw Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
      },
      stop: async () => undefined,
    };
    const fatals: string[] = [];
    const supervisor = new Supervisor({
      services: [broken],
      signal: controller.signal,
      logger,
      clock: systemClock,
      restartBaseMs: 1,
      restartMaxMs: 1,
      fatal: (error) => ((error as { code?: string }).code === 'SQLITE_CORRUPT' ? new Error('The store is corrupt.') : undefined),
      onFatal: (error) => {
        fatals.push(error.message);
        controller.abort();
      },
    });
    expect(await supervisor.run()).toEqual({ unfinished: [] });
    expect(runs).toBe(1);
    expect(fatals).toEqual(['The store is corrupt.']);
    expect(logger.entries.filter((entry) => entry.msg === 'service crashed; restarting')).toEqual([]);
    expect(supervisor.serviceStates()).toEqual([{ id: 'sync-loop', state: 'stopped', restarts: 0, lastError: 'The store is corrupt.' }]);
  });

  it('drains on abort: calls stop() on every service and gives up on one that hangs after the bound', async () => {
    const logger = memoryLogger();
    const controller = new AbortController();
    const stopped: string[] = [];
    const hanging: Service = { id: 'hanging', run: () => new Promise(() => undefined), stop: async () => void stopped.push('hanging') };
    const polite: Service = { id: 'polite', run: (signal) => untilAborted(signal), stop: async () => void stopped.push('polite') };
    const supervisor = new Supervisor({ services: [hanging, polite], signal: controller.signal, logger, clock: systemClock, drainMs: 50 });
    const running = supervisor.run();
    controller.abort();
    const started = Date.now();
    expect(await running).toEqual({ unfinished: ['hanging'] });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(stopped.sort()).toEqual(['hanging', 'polite']);
    expect(logger.entries.some((entry) => entry.level === 'warn' && entry.msg === 'services did not finish in time')).toBe(true);
  });
});
