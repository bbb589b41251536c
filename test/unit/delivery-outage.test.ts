/** The delivery worker while the store is out of reach: it keeps trying, reports the outage once, and resumes. */
import { expect, it } from 'vitest';
import { systemClock } from '../../src/adapters/system/clock.js';
import { MailmonError } from '../../src/core/errors.js';
import { createDeliveryService, type DeliveryServiceDeps } from '../../src/daemon/delivery-service.js';

it('a store out of reach for a while: the worker neither ends nor reports every pass, and works again once it is back', async () => {
  let down = true;
  let looks = 0;
  let fanOutsAfter = 0;
  const unreachable = () => new MailmonError('store_unreachable', 'Cannot connect to the PostgreSQL store at postgres://db/mailmon.');
  const read = async <T>(value: T): Promise<T> => {
    looks += 1;
    if (down) throw unreachable();
    return value;
  };
  const deliveries = {
    fanOut: async () => {
      await read(0);
      fanOutsAfter += 1;
    },
    releaseStaleClaims: () => read(0),
    endpointsWithDueWork: () => read([]),
    claimDue: () => read([]),
    nextScheduledAfter: () => read(null),
  };
  const errors: unknown[] = [];
  const changes = { mark: async () => ({ changeMark: 0 }), waitForChange: (_mark: unknown, ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 20))) };
  const service = createDeliveryService({ storage: { deliveries }, changes, clock: systemClock, idleMs: 20, holder: 'test', timeoutMs: 1_000, onError: (error: unknown) => errors.push(error) } as unknown as DeliveryServiceDeps);
  const controller = new AbortController();
  let ended = false;
  const running = service.run(controller.signal).finally(() => (ended = true));
  try {
    const outageEnds = Date.now() + 5_000;
    while (looks < 6 && !ended && Date.now() < outageEnds) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(ended).toBe(false);
    down = false;
    const deadline = Date.now() + 5_000;
    while (fanOutsAfter < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fanOutsAfter).toBeGreaterThanOrEqual(2);
    expect(ended).toBe(false);
    expect(errors.map((error) => (error as MailmonError).code)).toEqual(['store_unreachable']);
  } finally {
    controller.abort();
    await running;
  }
});
