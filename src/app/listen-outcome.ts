/** Whether a finished `listen` succeeded (CI mode): every event delivered, --exit-after reached. */
import { MailmonError } from '../core/errors.js';
import type { ListenResult } from './listen.js';

export function listenOutcomeError(result: ListenResult, options: { exitAfter?: number; timeoutSeconds?: number }): MailmonError | null {
  const missedTarget = options.exitAfter !== undefined && result.delivered < options.exitAfter && result.timedOut;
  if (result.pendingAfterFailure === 0 && !missedTarget) return null;
  return new MailmonError(result.timedOut ? 'timeout' : 'delivery_failed', `${result.timedOut ? `Timed out after ${options.timeoutSeconds}s with` : 'Stopped with'} ${result.delivered} delivered and ${result.pending} undelivered (${result.pendingAfterFailure} failing).`, {
    hint: 'Undelivered events are kept: run listen again to resume.',
  });
}
