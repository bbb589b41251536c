/**
 * `mailmon login`: the OAuth 2.0 installed-app flow (through the OAuthFlow port), then the
 * account's address → create the mailbox or re-activate the existing one for that address (never
 * a duplicate), and store the refresh token through the credential vault. Nothing is written
 * until the authorization succeeded, so a mismatch, a denial or a timeout leaves nothing
 * half-written. With a fixture URL the flow follows the authorize redirect itself (the CI path);
 * everything else is the same code.
 */
import { MailmonError } from '../core/errors.js';
import type { CredentialVault } from './ports/credentials.js';
import type { OAuthFlow } from './ports/oauth.js';
import type { Storage } from './ports/storage.js';

/** Cloud Pub/Sub: lets this mailbox's token pull Gmail push notifications. */
export const PUBSUB_SCOPE = 'https://www.googleapis.com/auth/pubsub';

export const SCOPES = {
  readonly: 'https://www.googleapis.com/auth/gmail.readonly',
  metadata: 'https://www.googleapis.com/auth/gmail.metadata',
} as const;
export type ScopeName = keyof typeof SCOPES;

export const FIXTURE_CLIENT_ID = 'mailmon-fixture.apps.googleusercontent.com';

/** Where login connects when no fixture is given: the configured Gmail API, OAuth server and client. */
export interface LoginSettings {
  gmailApiUrl: string;
  oauthUrl: string;
  clientId?: string;
  clientSecret?: string;
}

export interface LoginDeps {
  storage: Pick<Storage, 'mailboxes'>;
  settings: LoginSettings;
  credentials: Pick<CredentialVault, 'saveRefreshToken'>;
  oauth: OAuthFlow;
  ids: (prefix: 'mbx' | 'evt') => string;
  now: () => number;
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
  const apiUrl = fixture ?? deps.settings.gmailApiUrl;
  const oauthUrl = fixture ?? deps.settings.oauthUrl;
  const clientId = deps.settings.clientId ?? (fixture ? FIXTURE_CLIENT_ID : undefined);
  const { clientSecret } = deps.settings;
  if (!clientId) throw new MailmonError('oauth_client_missing', 'No OAuth client is configured, so mailmon cannot ask Google for access.', { hint: OAUTH_CLIENT_HOWTO });
  const gmailScope = SCOPES[input.scope ?? 'readonly'];
  const scopes = input.push ? [gmailScope, PUBSUB_SCOPE] : [gmailScope];

  const { refreshToken } = await deps.oauth.authorize({
    oauthUrl, clientId, clientSecret, scopes, loginHint: input.loginHint, timeoutMs: input.timeoutMs ?? 5 * 60_000, signal: deps.signal,
    present: (authUrl) => (fixture ? deps.oauth.followAuthorizeRedirect(authUrl) : presentToUser(deps, authUrl, input.noBrowser)),
  });
  if (!refreshToken) {
    throw new MailmonError('oauth_failed', 'Google did not return a refresh token, so mailmon could not keep access.', { hint: 'Remove mailmon from your Google account\'s third-party access, then run "mailmon login" again.' });
  }
  const profile = await deps.oauth.whoAmI({ apiUrl, oauthUrl, clientId, clientSecret, refreshToken, signal: deps.signal });
  assertHintedAccount(input.loginHint, profile.emailAddress, fixture);
  return saveMailbox(deps, { profile, apiUrl: fixture ?? null, oauthUrl: fixture ?? null, scope: scopes.join(' '), clientId, refreshToken, name: input.mailboxName ?? null });
}

async function presentToUser(deps: LoginDeps, authUrl: string, noBrowser: boolean | undefined): Promise<void> {
  deps.onAuthUrl(authUrl);
  if (!noBrowser) await deps.oauth.openBrowser(authUrl).catch(() => undefined);
}

async function saveMailbox(deps: LoginDeps, input: { profile: { emailAddress: string }; apiUrl: string | null; oauthUrl: string | null; scope: string; clientId: string; refreshToken: string; name: string | null }): Promise<LoginResult> {
  const { mailboxes } = deps.storage;
  const now = deps.now();
  let mailbox = await mailboxes.findByAddress(input.profile.emailAddress);
  const created = !mailbox;
  const connection = { gmailApiUrl: input.apiUrl, oauthUrl: input.oauthUrl, scope: input.scope };
  if (!mailbox) {
    const id = deps.ids('mbx');
    await mailboxes.insert({ id, emailAddress: input.profile.emailAddress, name: input.name, ...connection }, now);
    mailbox = (await mailboxes.get(id))!;
  } else {
    await mailboxes.updateConnection(mailbox.id, { ...connection, name: input.name }, now);
  }
  await deps.credentials.saveRefreshToken(mailbox.id, input.refreshToken, { clientId: input.clientId, scope: input.scope });
  if (mailbox.status === 'reauth_required') {
    await mailboxes.setStatus(mailbox.id, mailbox.historyId ? 'active' : 'pending', 'signed in again', { now: deps.now(), newEventId: () => deps.ids('evt') });
  }
  const final = (await mailboxes.get(mailbox.id))!;
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
