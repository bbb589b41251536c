// One contender in the lease stress test (test/e2e/lease-stress.test.ts), run as its own process
// against the BUILT lease module. While it believes it holds the lease it holds an exclusive
// marker file (O_EXCL): failing to create it means another process holds the lease at the same
// time — an overlap; a lease that no longer names it when it lets go was lost. Prints one JSON
// line: { acquired, overlaps, lost, crashed }.
//
// argv: leasesDir markerFile acquisitions mode staleMs crash
//   mode "wait": waits for the lease (exercises a holder releasing while others wait);
//   mode "poll": tries without waiting and retries at once (maximum contention);
//   crash "1": after its acquisitions it exits holding the lease, never releasing it (a crash;
//   its marker goes first: a dead process believes nothing), so someone must take it over.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { acquireLease, readLeaseHolder } = await import(pathToFileURL(path.join(root, 'dist', 'src', 'adapters', 'system', 'lease.js')).href);

const [leasesDir, marker, acquisitionsArg, mode, staleArg, crashArg] = process.argv.slice(2);
const acquisitions = Number(acquisitionsArg);
const staleMs = Number(staleArg);
const result = { acquired: 0, overlaps: 0, lost: 0, crashed: false };
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

while (result.acquired < acquisitions) {
  let lease;
  try {
    lease = await acquireLease({ leasesDir, mailboxId: 'mbx_stress', bumpEpoch: () => result.acquired + 1, waitMs: mode === 'wait' ? 120_000 : 0, staleMs, heartbeatMs: 25, purpose: 'stress' });
  } catch (error) {
    if (error.code !== 'lease_held') throw error;
    await new Promise((resolve) => setImmediate(resolve));
    continue;
  }
  result.acquired += 1;
  let mine = false;
  try {
    fs.writeFileSync(marker, String(process.pid), { flag: 'wx' });
    mine = true;
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
    result.overlaps += 1;
  }
  // Hold it briefly: a few holds span heartbeats, most release almost at once.
  await pause(Math.random() < 0.05 ? 60 : 0);
  // Still ours when we let go: told it was lost, or the lease names another process, means it was taken from a live holder.
  if (lease.signal.aborted || readLeaseHolder(leasesDir, 'mbx_stress')?.pid !== process.pid) result.lost += 1;
  if (mine) fs.rmSync(marker);
  if (crashArg === '1' && result.acquired === acquisitions) {
    result.crashed = true;
    process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
    await new Promise(() => {}); // exit, still "holding" the lease
  }
  await lease.release();
}
process.stdout.write(`${JSON.stringify(result)}\n`);
