/**
 * The OAuth installed-app flow against the fixture server: the real browser path (URL printed,
 * a "browser" following it), and every way it can fail — state mismatch, denied consent,
 * timeout — each with a clear error and nothing written.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { CliContext } from '../../src/cli/context.js';
import { loginDeps } from '../../src/cli/wiring.js';
import { login } from '../../src/app/login.js';
import { tempHome } from '../support/cli.js';

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer({ quota: false, mailboxes: [{ generate: { messages: 5 } }] });
});
afterAll(async () => server?.close());

function context(): CliContext {
  // Not the fixture shortcut: the configured (Google-like) endpoints and a client id, as a real user has.
  return new CliContext({ MAILMON_HOME: tempHome('mailmon-login-'), MAILMON_SECRET_STORE: 'file', MAILMON_GMAIL_API_URL: server.url, MAILMON_OAUTH_URL: server.url, MAILMON_GMAIL_OAUTH_CLIENT_ID: 'desktop-client.apps.googleusercontent.com', MAILMON_GMAIL_OAUTH_CLIENT_SECRET: 'not-so-secret' });
}

/** Plays the browser: asks the authorize URL, then follows its redirect (optionally tampering with it). */
async function browse(authUrl: string, tamper: (location: URL) => URL = (location) => location): Promise<string> {
  const authorize = await request(authUrl);
  await authorize.body.dump();
  const location = tamper(new URL(String(authorize.headers.location)));
  const callback = await request(location);
  return callback.body.text();
}


async function counts(ctx: CliContext) {
  const { sqlite } = await ctx.store();
  return {
    mailboxes: (sqlite.prepare('select count(*) as n from mailboxes').get() as { n: number }).n,
    credentials: (sqlite.prepare('select count(*) as n from credentials').get() as { n: number }).n,
  };
}

describe('mailmon login (OAuth installed-app flow)', () => {
  it('prints the URL, accepts the browser redirect with PKCE and state, and creates the mailbox', async () => {
    const ctx = context();
    let page = '';
    const result = await login(await loginDeps(ctx, { onAuthUrl: (url) => void browse(url).then((html) => (page = html)) }), { noBrowser: true, timeoutMs: 10_000 });
    expect(result).toMatchObject({ emailAddress: 'dev@mailmon.test', status: 'pending', created: true });
    expect(page).toContain('Signed in to mailmon');
    expect(await counts(ctx)).toEqual({ mailboxes: 1, credentials: 1 });
    const authRequest = (await server.control.requests({})).find((entry) => entry.path.startsWith('/o/oauth2/v2/auth'));
    expect(authRequest).toBeTruthy();
    ctx.close();
  });

  it('rejects a state mismatch and writes nothing', async () => {
    const ctx = context();
    let browsing: Promise<string> = Promise.resolve('');
    const attempt = login(await loginDeps(ctx, { onAuthUrl: (url) => void (browsing = browse(url, (location) => {
      location.searchParams.set('state', 'forged');
      return location;
    })) }), { noBrowser: true, timeoutMs: 10_000 });
    await expect(attempt).rejects.toMatchObject({ code: 'oauth_state_mismatch' });
    const page = await browsing;
    expect(page).toContain('state mismatch');
    expect(await counts(ctx)).toEqual({ mailboxes: 0, credentials: 0 });
    ctx.close();
  });

  it('explains denied consent and writes nothing', async () => {
    const ctx = context();
    await server.control.setFaults({ denyAuthorization: true });
    try {
      const attempt = login(await loginDeps(ctx, { onAuthUrl: (url) => void browse(url) }), { noBrowser: true, timeoutMs: 10_000 });
      await expect(attempt).rejects.toMatchObject({ code: 'oauth_denied', hint: expect.stringContaining('Allow') });
    } finally {
      await server.control.clearFaults();
    }
    expect(await counts(ctx)).toEqual({ mailboxes: 0, credentials: 0 });
    ctx.close();
  });

  it('times out clearly when nobody answers, frees the port, and writes nothing', async () => {
    const ctx = context();
    let authUrl = '';
    await expect(login(await loginDeps(ctx, { onAuthUrl: (url) => (authUrl = url) }), { noBrowser: true, timeoutMs: 300 })).rejects.toMatchObject({ code: 'oauth_timeout' });
    const redirect = new URL(new URL(authUrl).searchParams.get('redirect_uri')!);
    await expect(request(redirect)).rejects.toThrow(); // the loopback port is closed again
    expect(await counts(ctx)).toEqual({ mailboxes: 0, credentials: 0 });
    ctx.close();
  });

  it('without an OAuth client, says exactly how to create one', async () => {
    const ctx = new CliContext({ MAILMON_HOME: tempHome('mailmon-login-'), MAILMON_SECRET_STORE: 'file' });
    await expect(login(await loginDeps(ctx, { onAuthUrl: () => undefined }), { noBrowser: true })).rejects.toMatchObject({ code: 'oauth_client_missing', hint: expect.stringContaining('Desktop app') });
    ctx.close();
  });
});
