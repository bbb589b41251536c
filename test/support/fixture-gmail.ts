/** Google's own Gmail client, pointed at a fixture server the way mailmon points it. */
import { gmail, type gmail_v1 } from '@googleapis/gmail';
import { OAuth2Client } from 'google-auth-library';
import type { FixtureServer } from '../../src/fixtures/server.js';

export const CLIENT_ID = 'fixture-test.apps.googleusercontent.com';
export const CLIENT_SECRET = 'fixture-secret';

export function oauthClient(baseUrl: string, redirectUri = 'http://127.0.0.1:9/callback', options: { forceRefreshOnFailure?: boolean } = {}): OAuth2Client {
  return new OAuth2Client({
    ...options,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri,
    endpoints: { oauth2AuthBaseUrl: `${baseUrl}o/oauth2/v2/auth`, oauth2TokenUrl: `${baseUrl}token`, oauth2RevokeUrl: `${baseUrl}revoke` },
  });
}

export function gmailClient(baseUrl: string, auth: OAuth2Client): gmail_v1.Gmail {
  // googleapis-common pins its own google-auth-library (10.5.0): same class at run time,
  // different declarations for TypeScript.
  return gmail({ version: 'v1', auth: auth as unknown as gmail_v1.Options['auth'], rootUrl: baseUrl });
}

/** A client already holding tokens for the mailbox (issued through the control API; gmail.readonly unless `scope`). */
export async function connectedGmail(server: FixtureServer, mailbox?: string, scope?: string): Promise<{ api: gmail_v1.Gmail; auth: OAuth2Client; refreshToken: string }> {
  const issued = await server.control.issueToken({ mailbox, clientId: CLIENT_ID, scope });
  const auth = oauthClient(server.url);
  auth.setCredentials({ access_token: issued.accessToken, refresh_token: issued.refreshToken, expiry_date: Date.now() + issued.expiresIn * 1000 });
  return { api: gmailClient(server.url, auth), auth, refreshToken: issued.refreshToken };
}

/** The status and Google error body of a failed call (the client throws GaxiosErrors). */
export async function failure(call: Promise<unknown>): Promise<{ status: number; data: { error: { code: number; message: string; status: string; errors: Array<{ reason: string; domain: string }> } }; headers: Headers | Record<string, string> }> {
  try {
    await call;
  } catch (error) {
    const response = (error as { response?: { status: number; data: never; headers: never } }).response;
    if (response) return { status: response.status, data: response.data, headers: response.headers };
    throw error;
  }
  throw new Error('expected the call to fail');
}

export function headerOf(headers: Headers | Record<string, string>, name: string): string | null {
  const getter = (headers as Headers).get;
  return typeof getter === 'function' ? getter.call(headers, name) : ((headers as Record<string, string>)[name] ?? null);
}
