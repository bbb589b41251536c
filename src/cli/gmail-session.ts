/**
 * Opens the Gmail port (src/app/ports/gmail.ts) for a mailbox on the Google adapter: its own
 * API/OAuth base URLs (set by a fixture login) or the configured ones, the client id it was
 * authorized with, and its refresh token from the vault. With an access-token cache (one per
 * process), successive sessions of a mailbox share its access token.
 */
import { reloginHint } from '../core/fixture-mailbox.js';
import type { GmailPort } from '../app/ports/gmail.js';
import type { MailboxRow } from '../app/ports/mailboxes.js';
import type { Config } from '../app/ports/config.js';
import { createGmailApi } from '../adapters/gmail/gmail-api.js';
import type { AccessTokenCache } from '../adapters/gmail/access-tokens.js';
import type { CredentialEnvelopes } from '../app/ports/credential-envelopes.js';

export interface CredentialReader {
  loadRefreshToken(mailboxId: string): Promise<string>;
}

export interface GmailSessionDeps {
  /** Where the mailbox's own OAuth client id is kept (beside its credential). */
  envelopes: Pick<CredentialEnvelopes, 'get'>;
  config: Config;
  credentials: CredentialReader;
  /** Overrides the configured quota (null = no client-side limiter). */
  unitsPerSecond?: number | null;
  /** Retry policy override (tests use a short one). */
  retry?: { maxAttempts: number; backoff: { baseMs: number; maxMs: number } };
  /** Access tokens kept between sessions (the daemon and listen sync the same mailbox again and again). */
  accessTokens?: AccessTokenCache;
}

export async function openGmailForMailbox(deps: GmailSessionDeps, mailbox: MailboxRow, signal: AbortSignal): Promise<GmailPort> {
  const clientId = await credentialClientId(deps, mailbox.id);
  const refreshToken = await deps.credentials.loadRefreshToken(mailbox.id);
  return createGmailApi({
    apiUrl: mailbox.gmailApiUrl ?? deps.config.string('gmail.api-url'),
    oauthUrl: mailbox.oauthUrl ?? deps.config.string('oauth.url'),
    clientId: clientId ?? deps.config.optional('oauth.client-id') ?? '',
    clientSecret: deps.config.optional('oauth.client-secret'),
    refreshToken,
    accessToken: deps.accessTokens?.slot(mailbox.id, refreshToken),
    // "Sign in again" names the login that works for this mailbox (a fixture mailbox: login --fixture URL).
    reloginHint: reloginHint(mailbox),
    unitsPerSecond: deps.unitsPerSecond === undefined ? deps.config.number('quota.units-per-second') : deps.unitsPerSecond,
    signal,
    metadataOnly: mailbox.scope?.split(' ').some((scope) => scope.endsWith('/gmail.metadata')) ?? false,
    maxAttempts: deps.retry?.maxAttempts,
    backoff: deps.retry?.backoff,
  });
}

/** The mailbox's own OAuth client (refresh token from the vault): Pub/Sub calls with push.credentials=mailbox. */
export async function oauthClientForMailbox(deps: GmailSessionDeps, mailbox: MailboxRow) {
  const { OAuth2Client } = await import('google-auth-library');
  const { oauthEndpoints } = await import('../adapters/gmail/gmail-api.js');
  const client = new OAuth2Client({ clientId: (await credentialClientId(deps, mailbox.id)) ?? deps.config.optional('oauth.client-id') ?? '', clientSecret: deps.config.optional('oauth.client-secret'), endpoints: oauthEndpoints(mailbox.oauthUrl ?? deps.config.string('oauth.url')) });
  client.setCredentials({ refresh_token: await deps.credentials.loadRefreshToken(mailbox.id) });
  return client;
}

async function credentialClientId(deps: Pick<GmailSessionDeps, 'envelopes'>, mailboxId: string): Promise<string | null> {
  return (await deps.envelopes.get('credential', mailboxId))?.clientId ?? null;
}
