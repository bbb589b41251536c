import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { logoutDeps } from '../src/cli/wiring.js';
import { logout } from '../src/app/logout.js';
import { resolveMailbox } from '../src/app/mailbox-queries.js';
import { confirmDestructive } from '../src/cli/confirm.js';
import { yesFlag } from '../src/cli/flags.js';

export default class Logout extends BaseCommand {
  static summary = 'Disconnect a mailbox: revoke its token and delete the stored credential.';
  static examples = ['<%= config.bin %> logout', '<%= config.bin %> logout you@example.com --purge', '<%= config.bin %> logout you@example.com --purge --yes'];
  static args = { mailbox: Args.string({ description: 'Mailbox id or email address (default: the only mailbox)' }) };
  static description = 'With --purge it asks for confirmation on a terminal; off a terminal (scripts, CI) pass --yes.';
  static flags = { purge: Flags.boolean({ description: "Also delete the mailbox's local data: messages, threads, labels, sync runs and events." }), yes: yesFlag };

  async run() {
    const { args, flags } = await this.parse(Logout);
    if (flags.purge) await confirmDestructive({ question: `Sign out of ${(await resolveMailbox((await this.ctx.storage()).mailboxes, args.mailbox)).emailAddress} and delete its local messages, threads, labels, sync runs and events?`, yes: flags.yes, rerun: `mailmon logout ${args.mailbox ? `${args.mailbox} ` : ''}--purge` });
    const result = await logout(await logoutDeps(this.ctx), { mailbox: args.mailbox, purge: flags.purge });
    if (result.watchStopped === true) this.note('Stopped Gmail push notifications for this mailbox (users.stop).');
    if (result.watchStopped === false) this.note('Warning: could not stop Gmail push for this mailbox (users.stop failed); its watch lapses within 7 days.');
    if (!result.revoked) this.note(`Warning: could not revoke the token at Google (${result.revokeError}); the local credential is deleted anyway.`);
    this.out(`Signed out of ${result.emailAddress}${result.purged ? ' and deleted its local data' : ''}.`);
    return result;
  }
}
