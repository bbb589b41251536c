/** Which mailbox a `--mailbox` reference means: its id, address (any case) or name; none given means the only one. */
import { MailmonError } from '../core/errors.js';
import type { MailboxRow, Mailboxes } from './ports/mailboxes.js';

export async function resolveMailboxRef(mailboxes: Pick<Mailboxes, 'list'>, ref: string | undefined): Promise<MailboxRow> {
  const all = await mailboxes.list();
  if (ref === undefined) {
    if (all.length === 1) return all[0];
    if (all.length === 0) throw new MailmonError('no_mailboxes', 'No mailbox is connected yet.', { hint: 'Run "mailmon login" (or "mailmon login --fixture URL" for a fixture server).' });
    throw new MailmonError('mailbox_ambiguous', `There are ${all.length} mailboxes; say which one.`, { hint: `Pass one of: ${all.map((m) => m.emailAddress).join(', ')}.` });
  }
  const found = all.find((m) => m.id === ref || m.emailAddress.toLowerCase() === ref.toLowerCase() || m.name === ref);
  if (!found) throw new MailmonError('mailbox_not_found', `No mailbox "${ref}".`, { hint: 'Run "mailmon mailboxes" to list them.' });
  return found;
}
