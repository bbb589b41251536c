/**
 * A fixture mailbox is one connected with `mailmon login --fixture URL`: only that path stores
 * the mailbox's own Gmail API base URL (gmail_api_url), which is then the fixture server's URL.
 * Mailboxes signed in with Google use the configured URLs and store none.
 */

export interface MailboxConnection {
  emailAddress: string;
  gmailApiUrl: string | null;
}

/** The fixture server a mailbox was signed in to, or null for a Google mailbox. */
export function fixtureServerOf(mailbox: MailboxConnection): string | null {
  return mailbox.gmailApiUrl;
}

/** The command that signs this mailbox in again: the fixture one for a fixture mailbox (no OAuth client needed). */
export function reloginCommand(mailbox: MailboxConnection): string {
  const fixture = fixtureServerOf(mailbox);
  return fixture ? `mailmon login --fixture ${fixture} --login-hint ${mailbox.emailAddress}` : 'mailmon login';
}

/** The hint for a mailbox that needs a new login. */
export function reloginHint(mailbox: MailboxConnection): string {
  return `Run "${reloginCommand(mailbox)}" and sign in as ${mailbox.emailAddress}.`;
}
