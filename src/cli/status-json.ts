/**
 * `mailmon status --json` without oclif, for bin/run.js (see fast-path.ts for when): what
 * `commands/status.ts` and `BaseCommand` do for it, in the same order: a private umask and the
 * colour policy, the report from a read-only context, the context closed, then the result as
 * pretty JSON on stdout; an error as one JSON line from the same renderer and its exit code.
 * test/e2e/status-fast-path.test.ts holds both paths to the same bytes and exit codes.
 */
import { CliContext } from './context.js';
import { toJsonOutput } from './json-output.js';
import { prepareCommandProcess } from './command-process.js';
import { describeError, errorJson } from './render-error.js';
import { statusReportFor } from './wiring-daemon.js';

/** `status` only reads (both paths open the context with this). */
export const STATUS_STORE_ACCESS = 'read' as const;

export async function runStatusJson(): Promise<void> {
  prepareCommandProcess();
  const ctx = new CliContext(process.env, STATUS_STORE_ACCESS);
  let report: unknown;
  try {
    report = await statusReportFor(ctx);
  } catch (error) {
    const rendered = describeError(error, 'status', ctx.storeFile);
    process.stdout.write(`${JSON.stringify(errorJson(rendered))}\n`);
    ctx.close();
    process.exit(rendered.exitCode);
  }
  ctx.close();
  process.stdout.write(`${JSON.stringify(toJsonOutput(report), null, 2)}\n`);
}
