/**
 * How far V8 lets old space grow past what survived its last full collection, narrowed while
 * long work runs whose garbage would otherwise set the process's peak memory.
 *
 * A full sync keeps each page's message states until the page commits: they outlive a couple of
 * young-generation collections, are promoted to old space and die there. By default V8 lets old
 * space reach about 4× the live size before collecting it, so the longer the sync, the closer
 * the peak gets to that limit, though almost nothing stays alive. V8 reads its growing factor at
 * every full collection, so narrowing it while such work runs bounds the peak by the live size
 * and leaves the collections V8's own incremental ones (forcing full collections from here bounds
 * it too, at far more CPU than the collections themselves take).
 *
 * Guarantees: the factor is narrowed while at least one holder holds it and restored to V8's
 * own heuristics when the last lets go; releasing twice is harmless.
 */
import v8 from 'node:v8';

/** Old space may grow to 1.5× its live size: a full sync of 100k messages peaks like one of 10k. */
export const NARROW_GROWTH_PERCENT = 50;

export type HeapGrowthLimiter = () => () => void;

/** A limiter over `setFlags` (V8's flag setter; tests pass their own). */
export function heapGrowthLimiter(setFlags: (flags: string) => void = (flags) => v8.setFlagsFromString(flags)): HeapGrowthLimiter {
  let holders = 0;
  return () => {
    if (holders++ === 0) setFlags(`--heap-growing-percent=${NARROW_GROWTH_PERCENT}`);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // 0 is V8's default: the factor then follows its own speed-based heuristics again.
      if (--holders === 0) setFlags('--heap-growing-percent=0');
    };
  };
}

/** The process's limiter: narrows V8's growing factor until the returned function is called. */
export const limitHeapGrowth: HeapGrowthLimiter = heapGrowthLimiter();
