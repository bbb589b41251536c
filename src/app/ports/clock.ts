/**
 * The one clock: the time now, and a wait that an abort ends early. Injected everywhere a use
 * case or service reads the time or waits, so tests drive time instead of sleeping.
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts (it never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
