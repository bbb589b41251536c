import { describe, expect, it } from 'vitest';
import { heapGrowthLimiter, NARROW_GROWTH_PERCENT } from '../../src/adapters/system/heap.js';

describe('heapGrowthLimiter', () => {
  it('narrows the growing factor for the first holder and restores V8\'s own when the last lets go', () => {
    const flags: string[] = [];
    const limit = heapGrowthLimiter((flag) => flags.push(flag));
    const first = limit();
    expect(flags).toEqual([`--heap-growing-percent=${NARROW_GROWTH_PERCENT}`]);
    const second = limit();
    first();
    // The second full sync still runs: the factor stays narrowed.
    expect(flags).toHaveLength(1);
    second();
    expect(flags).toEqual([`--heap-growing-percent=${NARROW_GROWTH_PERCENT}`, '--heap-growing-percent=0']);
  });

  it('a release called twice counts once', () => {
    const flags: string[] = [];
    const limit = heapGrowthLimiter((flag) => flags.push(flag));
    const first = limit();
    const second = limit();
    first();
    first();
    expect(flags).toHaveLength(1);
    second();
    expect(flags.at(-1)).toBe('--heap-growing-percent=0');
  });

  it('V8 accepts the flags it sets', () => {
    const limit = heapGrowthLimiter();
    expect(() => limit()()).not.toThrow();
  });
});
