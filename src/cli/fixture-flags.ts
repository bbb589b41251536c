/** Flags shared by the commands that change a running fixture server, and how --server and its control token resolve. */
import fs from 'node:fs';
import { Flags } from '@oclif/core';
import { findFixtureToken, registerFixtureServer } from '../adapters/system/fixture-registry.js';
import { layoutFor, resolveHomeDir } from '../adapters/system/home.js';
import { MailmonError } from '../core/errors.js';
import { FixtureControlClient } from '../fixtures/control-client.js';
import type { RememberedFixtureLookup } from '../app/fixture-server.js';
import type { CliContext } from './context.js';
import { serverUrlFlag } from './flags.js';

export const fixtureFlags = {
  server: serverUrlFlag({ description: 'Fixture server URL (default: $MAILMON_FIXTURE_URL, then the server the fixture mailbox was signed in to with "login --fixture", then $MAILMON_GMAIL_API_URL).', helpValue: 'URL' }),
  mailbox: Flags.string({ description: 'Email address of the fixture mailbox (default: the one signed in with "login --fixture" when there is exactly one, else the server\'s first).', helpValue: 'EMAIL' }),
};

export interface FixtureTarget {
  client: FixtureControlClient;
  url: string;
  /** The mailbox to act on: --mailbox, or the remembered fixture mailbox (undefined: the server's first). */
  mailbox?: string;
}

/**
 * Resolves --server and --mailbox: an explicit --server or $MAILMON_FIXTURE_URL wins; otherwise the
 * fixture server the mailbox was signed in to (the --mailbox one, or the only fixture mailbox),
 * and then $MAILMON_GMAIL_API_URL. Never creates a home or a store just to look.
 */
export async function fixtureTarget(ctx: CliContext, flags: { server?: string; mailbox?: string }): Promise<FixtureTarget> {
  const env = ctx.env;
  const explicit = flags.server ?? env.MAILMON_FIXTURE_URL;
  const remembered = explicit ? undefined : await rememberedFixtureFor(ctx, flags.mailbox);
  const url = explicit ?? remembered?.found?.url ?? env.MAILMON_GMAIL_API_URL;
  if (!url) {
    const candidates = remembered && !remembered.found ? remembered.candidates : [];
    throw new MailmonError('usage', 'Which fixture server? No --server given, MAILMON_FIXTURE_URL is not set, and no single fixture mailbox is signed in.', {
      hint: candidates.length > 1
        ? `Pick the mailbox with --mailbox (one of: ${candidates.join(', ')}), or pass --server URL.`
        : 'Sign in with "mailmon login --fixture URL" (then the server is remembered), or pass the URL "mailmon fixtures serve" printed with --server URL.',
    });
  }
  const mailbox = remembered?.found?.mailbox ?? flags.mailbox;
  return { client: new FixtureControlClient(url, { token: fixtureControlToken(url, env) }), url, mailbox };
}

async function rememberedFixtureFor(ctx: CliContext, mailbox: string | undefined): Promise<RememberedFixtureLookup | undefined> {
  if (!fs.existsSync(layoutFor(resolveHomeDir(ctx.env), ctx.env).store)) return undefined;
  const { rememberedFixture } = await import('../app/fixture-server.js');
  return rememberedFixture(await ctx.storage(), mailbox);
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

/** For `fixtures serve`: records its URL and token in the home's run dir; returns the removal. */
export function recordFixtureServer(runDir: string, ready: { url: string; controlToken: string }): () => void {
  return registerFixtureServer(runDir, { url: ready.url, controlToken: ready.controlToken, pid: process.pid });
}
