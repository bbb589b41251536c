/** A user's MAILBOX argument resolved against the mailboxes there are: an id, an address, a name, or (when absent) the only one. */
import { MailmonError } from './errors.js';

interface Named {
  id: string;
  emailAddress: string;
  name: string | null;
}

export function resolveMailboxRef<T extends Named>(all: readonly T[], ref: string | undefined): T {
  if (ref === undefined) {
    if (all.length === 1) return all[0];
    if (all.length === 0) throw new MailmonError('no_mailboxes', 'No mailbox is connected yet.', { hint: 'Run "mailmon login" (or "mailmon login --fixture URL" for a fixture server).' });
    throw new MailmonError('mailbox_ambiguous', `There are ${all.length} mailboxes; say which one.`, { hint: `Pass one of: ${all.map((m) => m.emailAddress).join(', ')}.` });
  }
  const found = all.find((m) => m.id === ref || m.emailAddress.toLowerCase() === ref.toLowerCase() || m.name === ref);
  if (!found) throw new MailmonError('mailbox_not_found', `No mailbox "${ref}".`, { hint: 'Run "mailmon mailboxes" to list them.' });
  return found;
}
