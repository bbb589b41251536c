/** The real clock (src/app/ports/clock.ts). */
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../../app/ports/clock.js';

/** Node's timers hold at most 2^31-1 ms (a longer wait fires after 1 ms) and no negative delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(Math.min(Math.max(0, ms), MAX_TIMER_MS), undefined, { signal }).catch(() => undefined),
};
