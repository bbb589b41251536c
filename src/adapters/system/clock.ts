/** The real clock (src/app/ports/clock.ts). */
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../../app/ports/clock.js';

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
};
