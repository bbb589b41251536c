/**
 * `mailmon login`: the OAuth 2.0 installed-app flow (loopback redirect on 127.0.0.1, PKCE S256,
 * a random `state`, access_type=offline), then getProfile → create the mailbox or re-activate
 * the existing one for that address (never a duplicate), and store the refresh token through the
 * credential vault. Nothing is written until the authorization succeeded, so a mismatch, a denial
 * or a timeout leaves nothing half-written. With a fixture URL the flow follows the authorize
 * redirect itself (the CI path); everything else is the same code.
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { MailmonError } from '../core/errors.js';
import type { Config } from './ports/config.js';
import type { IdGenerator } from '../adapters/system/ids.js';
import { createGmailApi, oauthEndpoints } from '../adapters/gmail/gmail-api.js';
import { startLoopbackServer } from '../adapters/oauth/loopback-server.js';
import { MailboxRepository } from '../adapters/sqlite/mailbox-repository.js';

/** Cloud Pub/Sub: lets this mailbox's token pull Gmail push notifications. */
export const PUBSUB_SCOPE = 'https://www.googleapis.com/auth/pubsub';

export const SCOPES = {
  readonly: 'https://www.googleapis.com/auth/gmail.readonly',
  metadata: 'https://www.googleapis.com/auth/gmail.metadata',
} as const;
export type ScopeName = keyof typeof SCOPES;

export const FIXTURE_CLIENT_ID = 'mailmon-fixture.apps.googleusercontent.com';

/** Where a refresh token goes; the credential vault implements it. */
export interface CredentialWriter {
  saveRefreshToken(mailboxId: string, refreshToken: string, meta?: { clientId?: string; scope?: string }): Promise<void>;
}

export interface LoginDeps {
  sqlite: Database.Database;
  config: Config;
  credentials: CredentialWriter;
  ids: IdGenerator;
  now: () => number;
  openBrowser: (url: string) => Promise<void>;
  /** Shown to the user: the URL (always printed, even when a browser opens) and the waiting line. */
  onAuthUrl: (url: string) => void;
  signal?: AbortSignal;
}

export interface LoginInput {
  fixtureUrl?: string;
  noBrowser?: boolean;
  scope?: ScopeName;
  /** Also ask for the Pub/Sub scope, so this mailbox's token can pull Gmail push notifications (push.credentials=mailbox). */
  push?: boolean;
  mailboxName?: string;
  loginHint?: string;
  timeoutMs?: number;
}

export interface LoginResult {
  /** The mailbox's id (also as mailboxId). */
  id: string;
  mailboxId: string;
  emailAddress: string;
  status: string;
  created: boolean;
}

export const OAUTH_CLIENT_HOWTO =
  'Create a Desktop OAuth client: Google Cloud console → APIs & Services → enable the Gmail API → Credentials → Create credentials → OAuth client ID → Application type "Desktop app". ' +
  'Then run: mailmon config set oauth.client-id <ID> && mailmon config set oauth.client-secret <SECRET> (or set MAILMON_GMAIL_OAUTH_CLIENT_ID / MAILMON_GMAIL_OAUTH_CLIENT_SECRET).';

export async function login(deps: LoginDeps, input: LoginInput): Promise<LoginResult> {
  const fixture = input.fixtureUrl ? normalizeBase(input.fixtureUrl) : undefined;
  const apiUrl = fixture ?? deps.config.string('gmail.api-url');
  const oauthUrl = fixture ?? deps.config.string('oauth.url');
  const clientId = deps.config.optional('oauth.client-id') ?? (fixture ? FIXTURE_CLIENT_ID : undefined);
  const clientSecret = deps.config.optional('oauth.client-secret');
  if (!clientId) throw new MailmonError('oauth_client_missing', 'No OAuth client is configured, so mailmon cannot ask Google for access.', { hint: OAUTH_CLIENT_HOWTO });
  const gmailScope = SCOPES[input.scope ?? 'readonly'];
  const scopes = input.push ? [gmailScope, PUBSUB_SCOPE] : [gmailScope];
  const scope = scopes.join(' ');

  const { OAuth2Client } = await import('google-auth-library');
  const loopback = await startLoopbackServer();
  try {
    const client = new OAuth2Client({ clientId, clientSecret, redirectUri: loopback.redirectUri, endpoints: oauthEndpoints(oauthUrl) });
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const state = randomBytes(24).toString('base64url');
    const authUrl = client.generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent',
      scope: scopes,
      state,
      code_challenge_method: 'S256' as never,
      code_challenge: codeChallenge,
      ...(input.loginHint ? { login_hint: input.loginHint } : {}),
    });
    const codePromise = loopback.waitForCode({ state, timeoutMs: input.timeoutMs ?? 5 * 60_000, signal: deps.signal });
    // If the redirect step throws first, the wait is cancelled by close(); don't report it twice.
    codePromise.catch(() => undefined);
    if (fixture) {
      await followAuthorizeRedirect(authUrl);
    } else {
      deps.onAuthUrl(authUrl);
      if (!input.noBrowser) await deps.openBrowser(authUrl).catch(() => undefined);
    }
    const code = await codePromise;
    let tokens;
    try {
      ({ tokens } = await client.getToken({ code, codeVerifier }));
    } catch (error) {
      const data = (error as { response?: { data?: { error?: string; error_description?: string } } }).response?.data;
      throw new MailmonError('oauth_failed', `The token exchange failed${data?.error ? `: ${data.error}${data.error_description ? ` (${data.error_description})` : ''}` : ''}.`, { hint: 'Run "mailmon login" again; check the OAuth client id and secret.' });
    }
    if (!tokens.refresh_token) {
      throw new MailmonError('oauth_failed', 'Google did not return a refresh token, so mailmon could not keep access.', { hint: 'Remove mailmon from your Google account\'s third-party access, then run "mailmon login" again.' });
    }
    const gmail = await createGmailApi({ apiUrl, oauthUrl, clientId, clientSecret, refreshToken: tokens.refresh_token, unitsPerSecond: null, maxAttempts: 3, signal: deps.signal });
    const profile = await gmail.getProfile();
    assertHintedAccount(input.loginHint, profile.emailAddress, fixture);
    return await saveMailbox(deps, { profile, apiUrl: fixture ?? null, oauthUrl: fixture ?? null, scope, clientId, refreshToken: tokens.refresh_token, name: input.mailboxName ?? null });
  } finally {
    await loopback.close();
  }
}

async function saveMailbox(deps: LoginDeps, input: { profile: { emailAddress: string }; apiUrl: string | null; oauthUrl: string | null; scope: string; clientId: string; refreshToken: string; name: string | null }): Promise<LoginResult> {
  const mailboxes = new MailboxRepository(deps.sqlite);
  const now = deps.now();
  let mailbox = mailboxes.findByAddress(input.profile.emailAddress);
  const created = !mailbox;
  if (!mailbox) {
    const id = deps.ids('mbx');
    deps.sqlite.transaction(() => mailboxes.insert({ id, emailAddress: input.profile.emailAddress, name: input.name, gmailApiUrl: input.apiUrl, oauthUrl: input.oauthUrl, scope: input.scope }, now)).immediate();
    mailbox = mailboxes.get(id)!;
  } else {
    mailboxes.updateConnection(mailbox.id, { gmailApiUrl: input.apiUrl, oauthUrl: input.oauthUrl, scope: input.scope, name: input.name }, now);
  }
  await deps.credentials.saveRefreshToken(mailbox.id, input.refreshToken, { clientId: input.clientId, scope: input.scope });
  if (mailbox.status === 'reauth_required') {
    mailboxes.setStatus(mailbox.id, mailbox.historyId ? 'active' : 'pending', 'signed in again', { now: deps.now(), newEventId: () => deps.ids('evt') });
  }
  const final = mailboxes.get(mailbox.id)!;
  return { id: final.id, mailboxId: final.id, emailAddress: final.emailAddress, status: final.status, created };
}

/**
 * --login-hint names the account the user means. Google only preselects it and a fixture server
 * falls back to its first mailbox, so the signed-in account can differ: refuse before anything is
 * saved rather than connect an address nobody asked for.
 */
function assertHintedAccount(hint: string | undefined, signedIn: string, fixture: string | undefined): void {
  if (!hint || hint.trim().toLowerCase() === signedIn.toLowerCase()) return;
  throw new MailmonError('login_hint_mismatch', `Signed in as ${signedIn}, not ${hint} (--login-hint); nothing was saved.`, {
    hint: fixture
      ? `The fixture server at ${fixture} has no mailbox ${hint} ("mailmon fixtures status --server ${fixture}" lists them). Run "mailmon login --fixture ${fixture} --login-hint ${signedIn}", or leave out --login-hint.`
      : `Run "mailmon login --login-hint ${hint}" again and choose that account in the browser, or leave out --login-hint to accept ${signedIn}.`,
  });
}

function normalizeBase(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MailmonError('bad_url', `"${url}" is not a URL.`, { hint: 'Pass the fixture server URL it printed, e.g. --fixture http://127.0.0.1:4010/' });
  }
  return parsed.toString().endsWith('/') ? parsed.toString() : `${parsed.toString()}/`;
}

/** The CI path: ask the fixture's authorize endpoint and deliver its redirect to our loopback server. */
async function followAuthorizeRedirect(authUrl: string): Promise<void> {
  const { request } = await import('undici');
  let response;
  try {
    response = await request(authUrl, { method: 'GET' });
  } catch (error) {
    throw new MailmonError('unreachable', `Cannot reach the fixture server at ${new URL(authUrl).origin}: ${(error as Error).message}`, { hint: 'Start it with "mailmon fixtures serve" and pass the URL it prints.' });
  }
  await response.body.dump();
  const location = response.headers.location;
  if (response.statusCode < 300 || response.statusCode >= 400 || typeof location !== 'string') {
    throw new MailmonError('oauth_failed', `The fixture's authorize endpoint answered ${response.statusCode} instead of a redirect.`, { hint: 'Check that --fixture points at a mailmon fixture server.' });
  }
  const callback = await request(location, { method: 'GET' });
  await callback.body.dump();
}
