/**
 * A full garbage collection on demand, for work whose garbage would otherwise set the process's
 * peak memory. V8 sizes old space at a multiple of what survived its last full collection, so
 * objects that outlive a couple of young-generation collections before dying (a full-sync page's
 * message states, held until their commit) pile up in old space until that limit: the longer the
 * work, the higher the peak, though almost nothing stays alive. Collecting at a point where the
 * work holds nothing bounds the peak by the work between two such points.
 *
 * The collector is V8's own `gc`, obtained once without exposing it as a global.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let collector: (() => void) | undefined;

/** Runs a full, synchronous garbage collection (tens of milliseconds for a CLI-sized heap). */
export function collectGarbage(): void {
  collector ??= exposeCollector();
  collector();
}

function exposeCollector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  try {
    // A new context reads the flag when it is created; this process's global stays as it was.
    return vm.runInNewContext('gc') as () => void;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}
