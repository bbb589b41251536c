/**
 * Ctrl-C, one rule for every command (docs/interrupts.md):
 * - a command whose normal end IS Ctrl-C (tail, listen, daemon run, daemon logs -f,
 *   status --watch, fixtures serve) stops cleanly and exits 0, on a terminal or piped — as
 *   `stripe listen` does;
 * - any other command stopped before it finished says so (what was kept, how to resume) on
 *   stderr and exits 130 (128 + SIGINT), like a shell reports an interrupted program;
 * - a second Ctrl-C while the first one is being honoured exits 130 at once.
 * SIGTERM is handled the same way.
 *
 * The listeners stay installed until the process ends. A one-shot listener left ink's
 * signal-exit hook alone on the signal after the first Ctrl-C, and that hook re-raises SIGINT:
 * on a terminal (where ink draws) the process died at once, silently, whatever the command.
 */
import { ExitCode } from '../core/errors.js';

export const INTERRUPTED_EXIT_CODE: number = ExitCode.interrupted;

/** An AbortSignal that fires on the first Ctrl-C / SIGTERM; a second one exits 130 at once. */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(INTERRUPTED_EXIT_CODE);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}
