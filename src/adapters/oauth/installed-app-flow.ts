/**
 * The OAuthFlow port on google-auth-library: the installed-app flow with a loopback redirect on
 * 127.0.0.1, PKCE S256, a random `state` and access_type=offline; revocation; Gmail getProfile
 * for the account a token belongs to. The loopback port is always freed, whatever happens.
 */
import { randomBytes } from 'node:crypto';
import { MailmonError } from '../../core/errors.js';
import type { AuthorizeInput, OAuthFlow } from '../../app/ports/oauth.js';
import { createGmailApi, oauthEndpoints } from '../gmail/gmail-api.js';
import { startLoopbackServer } from './loopback-server.js';

export function googleOAuthFlow(): OAuthFlow {
  return {
    authorize,
    async whoAmI(input) {
      const gmail = await createGmailApi({ apiUrl: input.apiUrl, oauthUrl: input.oauthUrl, clientId: input.clientId, clientSecret: input.clientSecret, refreshToken: input.refreshToken, unitsPerSecond: null, maxAttempts: 3, signal: input.signal });
      return { emailAddress: (await gmail.getProfile()).emailAddress };
    },
    async revoke(input) {
      const { OAuth2Client } = await import('google-auth-library');
      await new OAuth2Client({ endpoints: oauthEndpoints(input.oauthUrl) }).revokeToken(input.token);
    },
    async openBrowser(url) {
      const { default: open } = await import('open');
      await open(url);
    },
    followAuthorizeRedirect,
  };
}

async function authorize(input: AuthorizeInput): Promise<{ refreshToken: string | null }> {
  const { OAuth2Client } = await import('google-auth-library');
  const loopback = await startLoopbackServer();
  try {
    const client = new OAuth2Client({ clientId: input.clientId, clientSecret: input.clientSecret, redirectUri: loopback.redirectUri, endpoints: oauthEndpoints(input.oauthUrl) });
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const state = randomBytes(24).toString('base64url');
    const authUrl = client.generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent',
      scope: input.scopes,
      state,
      code_challenge_method: 'S256' as never,
      code_challenge: codeChallenge,
      ...(input.loginHint ? { login_hint: input.loginHint } : {}),
    });
    const codePromise = loopback.waitForCode({ state, timeoutMs: input.timeoutMs, signal: input.signal });
    // If presenting throws first, the wait is cancelled by close(); don't report it twice.
    codePromise.catch(() => undefined);
    await input.present(authUrl);
    const code = await codePromise;
    return { refreshToken: await exchange(client, code, codeVerifier) };
  } finally {
    await loopback.close();
  }
}

async function exchange(client: import('google-auth-library').OAuth2Client, code: string, codeVerifier: string): Promise<string | null> {
  try {
    const { tokens } = await client.getToken({ code, codeVerifier });
    return tokens.refresh_token ?? null;
  } catch (error) {
    const data = (error as { response?: { data?: { error?: string; error_description?: string } } }).response?.data;
    throw new MailmonError('oauth_failed', `The token exchange failed${data?.error ? `: ${data.error}${data.error_description ? ` (${data.error_description})` : ''}` : ''}.`, { hint: 'Run "mailmon login" again; check the OAuth client id and secret.' });
  }
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
