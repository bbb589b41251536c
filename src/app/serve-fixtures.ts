/**
 * `mailmon fixtures serve` as a use case: turn the user's choices into server options, start
 * the fixture server, report readiness once, and close cleanly when the signal fires.
 */
import { MailmonError } from '../core/errors.js';
import { parseDuration } from '../core/durations.js';
import type { FixtureMailboxSource, FixtureMailboxStatus, FixtureServerOptions, FixtureServers } from './ports/fixture-servers.js';

export interface ServeFixturesInput {
  host: string;
  port: number;
  emlDir?: string;
  mailboxFile?: string;
  messages?: number;
  emails: string[];
  seed?: number;
  quota: number | false;
  latencyMs?: number;
  /** A record count (`5000`) or an age (`1h`). */
  historyRetention?: string;
  shuffle?: boolean;
  clientId?: string;
  accessTokenTtlSeconds?: number;
  /** Listen on a non-loopback --host (refused without it). */
  allowRemote?: boolean;
  /** Pub/Sub accepts any token the server issued, whatever its scope. */
  pubsubAcceptAnyToken?: boolean;
}

export interface FixtureReady {
  ready: true;
  url: string;
  /** The secret the control API (`__fixture/`) requires: MAILMON_FIXTURE_TOKEN. */
  controlToken: string;
  gmailApiUrl: string;
  oauthUrl: string;
  mailboxes: Array<Pick<FixtureMailboxStatus, 'emailAddress' | 'messagesTotal'> & { threadsTotal: number; historyId: string }>;
}

export function parseHistoryRetention(text: string | undefined): FixtureServerOptions['historyRetention'] {
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text.trim())) return { maxRecords: Number(text) };
  return { maxAgeMs: parseDuration(text, '--history-retention') };
}

export function mailboxSources(input: Pick<ServeFixturesInput, 'emlDir' | 'mailboxFile' | 'messages' | 'emails' | 'seed'>): FixtureMailboxSource[] {
  const chosen = [input.emlDir, input.mailboxFile, input.messages].filter((value) => value !== undefined).length;
  if (chosen > 1) throw new MailmonError('usage', 'Choose one mailbox source: --eml-dir, --mailbox or --messages.', { hint: 'Extra --email addresses get generated mailboxes of --messages messages.' });
  const [first, ...others] = input.emails;
  const messages = input.messages ?? 100;
  const primary: FixtureMailboxSource = input.emlDir !== undefined ? { emailAddress: first, emlDir: input.emlDir } : input.mailboxFile !== undefined ? { emailAddress: first, file: input.mailboxFile } : { emailAddress: first, generate: { messages, seed: input.seed } };
  return [primary, ...others.map((emailAddress) => ({ emailAddress, generate: { messages } }))];
}

export interface ServeFixturesDeps {
  servers: FixtureServers;
  signal: AbortSignal;
  onReady: (ready: FixtureReady) => void;
  /** Records the running server (URL + control token) for the other commands; returns its removal. */
  register?: (ready: FixtureReady) => () => void;
}

export async function serveFixtures(input: ServeFixturesInput, deps: ServeFixturesDeps): Promise<{ url: string; requests: number }> {
  const server = await deps.servers.start({
    host: input.host,
    port: input.port,
    seed: input.seed,
    quota: input.quota,
    latencyMs: input.latencyMs,
    historyRetention: parseHistoryRetention(input.historyRetention),
    shuffle: input.shuffle,
    clientId: input.clientId,
    accessTokenTtlSeconds: input.accessTokenTtlSeconds,
    allowRemote: input.allowRemote,
    pubsubAcceptAnyToken: input.pubsubAcceptAnyToken,
    mailboxes: mailboxSources(input),
  });
  const status = await server.control.status();
  const ready: FixtureReady = { ready: true, url: server.url, controlToken: server.controlToken, gmailApiUrl: server.url, oauthUrl: server.url, mailboxes: status.mailboxes };
  const unregister = deps.register?.(ready);
  deps.onReady(ready);
  await new Promise<void>((resolve) => {
    if (deps.signal.aborted) resolve();
    else deps.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  unregister?.();
  const requests = (await server.control.requests()).length;
  await server.close();
  return { url: server.url, requests };
}
