/**
 * The one rule for destructive commands (like `gh repo delete`): `--yes` proceeds; on a
 * terminal the user is asked; off a terminal, without `--yes`, the command refuses — a script
 * must say it means it.
 */
import { MailmonError } from '../core/errors.js';
import { confirm } from './wiring.js';

export async function confirmDestructive(input: { question: string; yes: boolean; rerun: string }): Promise<void> {
  if (input.yes) return;
  if (!process.stdin.isTTY) {
    throw new MailmonError('usage', `${input.question.replace(/\?$/, '')}: refused without confirmation (stdin is not a terminal).`, {
      hint: `Pass --yes to confirm: ${input.rerun} --yes`,
    });
  }
  if (!(await confirm(input.question))) throw new MailmonError('cancelled', 'Cancelled; nothing was changed.');
}
