import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../src/adapters/system/heap.js';

/** An object only a WeakRef points at, made in a frame of its own so no local keeps it. */
function unreachable(): WeakRef<object> {
  return new WeakRef({ payload: new Array(10_000).fill('garbage') });
}

describe('collectGarbage', () => {
  it('runs a full collection: an object nothing references is gone after it', async () => {
    const refs = Array.from({ length: 5 }, unreachable);
    expect(refs.every((ref) => ref.deref() !== undefined)).toBe(true);
    // Making or reading a WeakRef keeps its target alive until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    expect(refs.every((ref) => ref.deref() === undefined)).toBe(true);
  });

  it('does not leave gc exposed on the global object', () => {
    const hadGc = 'gc' in globalThis;
    collectGarbage();
    collectGarbage();
    expect('gc' in globalThis).toBe(hadGc);
  });
});
