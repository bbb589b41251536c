import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { gmailClient, oauthClient, CLIENT_ID } from '../support/fixture-gmail.js';

/** A loopback redirect receiver, like `mailmon login` runs. */
async function receiver(): Promise<{ uri: string; next: () => Promise<URLSearchParams>; close: () => Promise<void> }> {
  let deliver: (query: URLSearchParams) => void = () => {};
  const server = http.createServer((request, response) => {
    deliver(new URL(request.url ?? '/', 'http://127.0.0.1').searchParams);
    response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    uri: `http://127.0.0.1:${port}/oauth2callback`,
    next: () => new Promise((resolve) => (deliver = resolve)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Plays the browser: follows the authorize URL's redirect to the loopback receiver. */
async function approve(authorizeUrl: string): Promise<string | null> {
  const response = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const location = response.headers.get('location');
  if (location) await fetch(location);
  return location;
}

describe('OAuth against the fixture server with google-auth-library', () => {
  let server: FixtureServer;
  let now = Date.now();

  beforeAll(async () => {
    server = await startFixtureServer({ accessTokenTtlSeconds: 60, now: () => now, mailboxes: [{ generate: { messages: 3 } }, { emailAddress: 'other@mailmon.test', generate: { messages: 2 } }] });
  });
  afterAll(() => server.close());

  it('PKCE round trip: authorize → loopback redirect with code and state → token → Gmail calls, then refresh after expiry', async () => {
    const loopback = await receiver();
    const auth = oauthClient(server.url, loopback.uri);
    const { codeVerifier, codeChallenge } = await auth.generateCodeVerifierAsync();
    const state = randomBytes(8).toString('hex');
    const url = auth.generateAuthUrl({ access_type: 'offline', scope: ['https://www.googleapis.com/auth/gmail.readonly'], state, code_challenge: codeChallenge, code_challenge_method: 'S256' as never, login_hint: 'other@mailmon.test', prompt: 'consent' });
    expect(url.startsWith(`${server.url}o/oauth2/v2/auth?`)).toBe(true);
    const redirected = loopback.next();
    await approve(url);
    const query = await redirected;
    expect(query.get('state')).toBe(state);
    const code = query.get('code')!;
    expect(code).toBeTruthy();
    const { tokens } = await auth.getToken({ code, codeVerifier });
    expect(tokens.access_token).toMatch(/^ya29\./);
    expect(tokens.refresh_token).toMatch(/^1\/\//);
    auth.setCredentials(tokens);
    const api = gmailClient(server.url, auth);
    expect((await api.users.getProfile({ userId: 'me' })).data.emailAddress).toBe('other@mailmon.test');

    // The server's clock passes the token's lifetime. The client knows the expiry from
    // expires_in and refreshes before its next call.
    now += 61_000;
    let refreshed = 0;
    auth.on('tokens', () => refreshed++);
    await server.control.clearRequests();
    expect((await api.users.getProfile({ userId: 'me' })).data.emailAddress).toBe('other@mailmon.test');
    expect(refreshed).toBe(1);
    const paths = async () => (await server.control.requests()).map((entry) => `${entry.status} ${entry.path.split('?')[0]}`);
    expect(await paths()).toEqual(['200 /token', '200 /gmail/v1/users/me/profile']);

    // A client that believes its token is still valid (clock skew) gets a 401 and, with
    // forceRefreshOnFailure, refreshes on its own and retries.
    now += 61_000;
    const skewed = oauthClient(server.url, loopback.uri, { forceRefreshOnFailure: true });
    skewed.setCredentials({ ...auth.credentials, expiry_date: Date.now() + 3_600_000 });
    await server.control.clearRequests();
    expect((await gmailClient(server.url, skewed).users.getProfile({ userId: 'me' })).data.emailAddress).toBe('other@mailmon.test');
    // (With a 60 s lifetime, inside the client's 5-minute eager window, it may refresh twice.)
    const log = await paths();
    expect(log[0]).toBe('401 /gmail/v1/users/me/profile');
    expect(log.at(-1)).toBe('200 /gmail/v1/users/me/profile');
    expect(new Set(log.slice(1, -1))).toEqual(new Set(['200 /token']));

    // A code is single-use.
    await expect(auth.getToken({ code, codeVerifier })).rejects.toMatchObject({ response: { status: 400, data: { error: 'invalid_grant' } } });
    await loopback.close();
  });

  it('rejects a wrong PKCE verifier', async () => {
    const loopback = await receiver();
    const auth = oauthClient(server.url, loopback.uri);
    const { codeChallenge } = await auth.generateCodeVerifierAsync();
    const redirected = loopback.next();
    await approve(auth.generateAuthUrl({ scope: ['x'], code_challenge: codeChallenge, code_challenge_method: 'S256' as never }));
    const code = (await redirected).get('code')!;
    const wrong = createHash('sha256').update('nope').digest('base64url');
    await expect(auth.getToken({ code, codeVerifier: wrong })).rejects.toMatchObject({ response: { status: 400, data: { error: 'invalid_grant' } } });
    await loopback.close();
  });

  it('invalid_grant after revokeToken; the access token stops working too', async () => {
    const issued = await server.control.issueToken({ clientId: CLIENT_ID });
    const auth = oauthClient(server.url);
    auth.setCredentials({ refresh_token: issued.refreshToken });
    expect((await auth.getAccessToken()).token).toMatch(/^ya29\./);
    const revoked = await server.control.revokeToken();
    expect(revoked).toEqual({ mailbox: 'dev@mailmon.test', revoked: expect.any(Number) });
    expect(revoked.revoked).toBeGreaterThanOrEqual(1);
    const fresh = oauthClient(server.url);
    fresh.setCredentials({ refresh_token: issued.refreshToken });
    await expect(fresh.getAccessToken()).rejects.toMatchObject({ response: { status: 400, data: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } } });
    const response = await fetch(`${server.url}gmail/v1/users/me/profile`, { headers: { authorization: `Bearer ${issued.accessToken}` } });
    expect(response.status).toBe(401);
  });

  it('revoke endpoint (google-auth-library revokeToken) kills the grant', async () => {
    const issued = await server.control.issueToken({ clientId: CLIENT_ID });
    const auth = oauthClient(server.url);
    await auth.revokeToken(issued.refreshToken);
    auth.setCredentials({ refresh_token: issued.refreshToken });
    await expect(auth.getAccessToken()).rejects.toMatchObject({ response: { data: { error: 'invalid_grant' } } });
  });

  it('denies with ?deny=1 or the denyAuthorization fault, keeping state', async () => {
    const auth = oauthClient(server.url, 'http://127.0.0.1:9/cb');
    const denied = await fetch(`${auth.generateAuthUrl({ scope: ['x'], state: 's1' })}&deny=1`, { redirect: 'manual' });
    const location = new URL(denied.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('s1');
    await server.control.setFaults({ denyAuthorization: true });
    const faulted = await fetch(auth.generateAuthUrl({ scope: ['x'], state: 's2' }), { redirect: 'manual' });
    expect(new URL(faulted.headers.get('location')!).searchParams.get('error')).toBe('access_denied');
    await server.control.clearFaults();
    const nonLoopback = await fetch(oauthClient(server.url, 'https://evil.example/cb').generateAuthUrl({ scope: ['x'] }), { redirect: 'manual' });
    expect(nonLoopback.status).toBe(400);
  });

  it('accepts only the configured client id when one is set', async () => {
    const strict = await startFixtureServer({ clientId: 'only-me', mailboxes: [{ generate: { messages: 1 } }] });
    const issued = await strict.control.issueToken();
    const auth = oauthClient(strict.url);
    auth.setCredentials({ refresh_token: issued.refreshToken });
    await expect(auth.getAccessToken()).rejects.toMatchObject({ response: { status: 401, data: { error: 'invalid_client' } } });
    await strict.close();
  });
});
