import { Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { interruptSignal, loginDeps } from '../src/cli/wiring.js';
import { login } from '../src/app/login.js';
import { nudgeDaemon } from '../src/cli/wiring-daemon.js';
import { serverUrlFlag } from '../src/cli/flags.js';

export default class Login extends BaseCommand {
  static summary = 'Connect a Gmail mailbox: sign in with Google in the browser and store the token securely.';
  static description = 'Runs the OAuth installed-app flow (loopback redirect on 127.0.0.1, PKCE, state). The URL is always printed too, so it works on a headless machine. With --fixture URL it signs in to a mailmon fixture server without a browser (for CI).';
  static examples = [
    '<%= config.bin %> login',
    '<%= config.bin %> login --no-browser',
    '<%= config.bin %> login --fixture http://127.0.0.1:4010/ --json',
  ];
  static flags = {
    'no-browser': Flags.boolean({ description: 'Do not open a browser; print the URL to open yourself.' }),
    fixture: serverUrlFlag({ description: 'Sign in to a mailmon fixture server at this URL (no browser, no Google account).', helpValue: 'URL' }),
    scope: Flags.string({ description: 'Gmail access to ask for.', options: ['readonly', 'metadata'], default: 'readonly' }),
    push: Flags.boolean({ description: 'Also ask for Pub/Sub access, so this mailbox\'s token can pull Gmail push notifications (push.credentials=mailbox; see docs/push.md).' }),
    'mailbox-name': Flags.string({ description: 'A short name for this mailbox.' }),
    'login-hint': Flags.string({ description: 'Which Google account (email) to preselect.', helpValue: 'EMAIL' }),
  };

  async run() {
    const { flags } = await this.parse(Login);
    const deps = await loginDeps(this.ctx, {
      signal: interruptSignal(),
      onAuthUrl: (url) => {
        process.stderr.write(`Open this URL to sign in (a browser should open by itself):\n\n  ${url}\n\nWaiting for authorization… (Ctrl-C to cancel)\n`);
      },
    });
    const result = await login(deps, { fixtureUrl: flags.fixture, noBrowser: flags['no-browser'], scope: flags.scope as 'readonly' | 'metadata', push: flags.push, mailboxName: flags['mailbox-name'], loginHint: flags['login-hint'] });
    this.out(`${result.created ? 'Connected' : 'Signed in again to'} ${result.emailAddress} (${result.mailboxId}, ${result.status}).`);
    const daemonPid = await nudgeDaemon(this.ctx, result.mailboxId);
    if (daemonPid) this.note(`The daemon (pid ${daemonPid}) is starting ${result.status === 'pending' ? 'the initial' : 'a'} sync of ${result.emailAddress}.`);
    else if (result.status === 'pending') this.note('Next: run "mailmon sync" for the initial sync, or "mailmon daemon start" to keep it in sync.');
    return { id: result.id, mailboxId: result.mailboxId, emailAddress: result.emailAddress, status: result.status };
  }
}
