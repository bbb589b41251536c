/**
 * One claimer of the delivery queue in its own process, for the cross-process claim race:
 * claims the due heads of one endpoint (a few at a time, as its holder) until none are left,
 * recording each outcome, then prints the claimed delivery ids as one JSON line.
 * Run with `node --import tsx test/support/claim-worker.ts <store file> <endpoint id> <holder>`.
 */
import { openDatabase } from '../../src/adapters/sqlite/database.js';
import { sqliteStorage } from '../../src/adapters/sqlite/sqlite-storage.js';

const [file, endpointId, holder] = process.argv.slice(2);
const store = openDatabase(file);
const { deliveries } = sqliteStorage(store);
const claimed: string[] = [];
for (let idle = 0; idle < 20;) {
  const batch = await deliveries.claimDue({ endpointId, holder, now: Date.now(), limit: 3 });
  idle = batch.length === 0 ? idle + 1 : 0;
  for (const delivery of batch) {
    claimed.push(delivery.id);
    const recorded = await deliveries.recordOutcome({
      delivery, holder, finishedAt: Date.now(), next: null, abandoned: false, health: null,
      result: { ok: true, status: 200, latencyMs: 1, responseHeaders: {}, responseBody: '', errorClass: null, errorMessage: null },
    });
    if (!recorded) throw new Error(`${holder} lost its claim of ${delivery.id}`);
  }
  await new Promise((resolve) => setTimeout(resolve, batch.length === 0 ? 5 : 0));
}
process.stdout.write(`${JSON.stringify(claimed)}\n`);
store.close();
