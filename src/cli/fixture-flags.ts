/** Flags shared by the commands that change a running fixture server, and how --server resolves. */
import { Flags } from '@oclif/core';
import { MailmonError } from '../core/errors.js';
import { FixtureControlClient } from '../fixtures/control-client.js';
import { serverUrlFlag } from './flags.js';

export const fixtureFlags = {
  server: serverUrlFlag({ description: 'Fixture server URL (default: $MAILMON_FIXTURE_URL, then $MAILMON_GMAIL_API_URL).', helpValue: 'URL' }),
  mailbox: Flags.string({ description: 'Email address of the fixture mailbox (default: the first one).', helpValue: 'EMAIL' }),
};

export function fixtureServerUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const url = flag ?? env.MAILMON_FIXTURE_URL ?? env.MAILMON_GMAIL_API_URL;
  if (!url) throw new MailmonError('usage', 'Which fixture server? No --server given and MAILMON_FIXTURE_URL is not set.', { hint: 'Start one with "mailmon fixtures serve" and pass the URL it prints with --server URL.' });
  return url;
}

export function fixtureClient(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): FixtureControlClient {
  return new FixtureControlClient(fixtureServerUrl(flag, env));
}
