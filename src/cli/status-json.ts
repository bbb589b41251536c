/**
 * `mailmon status --json` without oclif, for bin/run.js (see fast-path.ts for when): the report
 * from a read-only context, in the frame `BaseCommand` gives it (json-without-oclif.ts).
 * test/e2e/status-fast-path.test.ts holds both paths to the same bytes and exit codes.
 */
import { runJsonWithoutOclif } from './json-without-oclif.js';
import { statusReportFor } from './wiring-daemon.js';

/** `status` only reads (both paths open the context with this). */
export const STATUS_STORE_ACCESS = 'read' as const;

export async function runStatusJson(): Promise<void> {
  await runJsonWithoutOclif({ id: 'status', storeAccess: STATUS_STORE_ACCESS }, statusReportFor);
}
