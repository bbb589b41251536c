/** Flags shared by the commands that change a running fixture server, and how --server and its control token resolve. */
import { Flags } from '@oclif/core';
import { findFixtureToken, registerFixtureServer } from '../adapters/system/fixture-registry.js';
import { layoutFor, resolveHomeDir } from '../adapters/system/home.js';
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

/**
 * The server's control token: the one `fixtures serve` recorded for this URL in the same home
 * (the exact server), else $MAILMON_FIXTURE_TOKEN (the line serve printed).
 */
export function fixtureControlToken(url: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const recorded = findFixtureToken(layoutFor(resolveHomeDir(env), env).run, url);
  const fromEnv = env.MAILMON_FIXTURE_TOKEN?.trim();
  return recorded ?? (fromEnv ? fromEnv : undefined);
}

export function fixtureClient(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): FixtureControlClient {
  const url = fixtureServerUrl(flag, env);
  return new FixtureControlClient(url, { token: fixtureControlToken(url, env) });
}

/** For `fixtures serve`: records its URL and token in the home's run dir; returns the removal. */
export function recordFixtureServer(runDir: string, ready: { url: string; controlToken: string }): () => void {
  return registerFixtureServer(runDir, { url: ready.url, controlToken: ready.controlToken, pid: process.pid });
}
