/**
 * login and logout built from ports only: the storage ports of a fresh store, an in-memory vault
 * and a scripted OAuthFlow — no browser, no loopback server, no fixture server.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MailmonError } from '../../src/core/errors.js';
import { login, type LoginDeps } from '../../src/app/login.js';
import { logout, type LogoutDeps } from '../../src/app/logout.js';
import type { CredentialVault } from '../../src/app/ports/credentials.js';
import type { OAuthFlow } from '../../src/app/ports/oauth.js';
import { sqliteFactory, type StoreUnderTest } from '../contract/stores.js';

function memoryVault(): CredentialVault & { tokens: Map<string, string> } {
  const tokens = new Map<string, string>();
  return {
    tokens,
    saveRefreshToken: async (id, token) => void tokens.set(id, token),
    loadRefreshToken: async (id) => {
      const token = tokens.get(id);
      if (!token) throw new MailmonError('credential_missing', `Mailbox ${id} has no stored credential.`);
      return token;
    },
    deleteCredential: async (id) => tokens.delete(id),
    saveSecret: async () => undefined,
    loadSecret: async () => undefined,
    deleteSecret: async () => false,
  };
}

function scriptedOAuth(account: { emailAddress: string; refreshToken: string | null }): OAuthFlow & { presented: string[] } {
  const presented: string[] = [];
  return {
    presented,
    authorize: async (input) => {
      await input.present(`https://oauth.example/authorize?scope=${input.scopes.join('+')}`);
      return { refreshToken: account.refreshToken };
    },
    whoAmI: async () => ({ emailAddress: account.emailAddress }),
    revoke: async () => undefined,
    openBrowser: async (url) => void presented.push(`browser ${url}`),
    followAuthorizeRedirect: async (url) => void presented.push(`followed ${url}`),
  };
}

let store: StoreUnderTest;
beforeEach(async () => {
  store = await sqliteFactory.create();
});
afterEach(async () => {
  await store.close();
});

function loginDeps(oauth: OAuthFlow, vault: CredentialVault): LoginDeps {
  let n = 0;
  return {
    storage: store.storage, credentials: vault, oauth, ids: (prefix) => `${prefix}_${++n}`, now: () => 1_000, onAuthUrl: () => undefined,
    settings: { gmailApiUrl: 'https://gmail.example/', oauthUrl: 'https://oauth.example/', clientId: 'client' },
  };
}

function logoutDeps(vault: CredentialVault, revoke: LogoutDeps['revoke']): LogoutDeps {
  return { storage: store.storage, credentials: vault, revoke, defaultOAuthUrl: 'https://oauth.example/', now: () => 2_000, newEventId: () => 'evt_out' };
}

describe('login and logout on ports', () => {
  it('login creates the mailbox once, stores the token, and opens the browser unless told not to', async () => {
    const vault = memoryVault();
    const oauth = scriptedOAuth({ emailAddress: 'Me@Example.com', refreshToken: 'rt-1' });
    const first = await login(loginDeps(oauth, vault), {});
    expect(first).toMatchObject({ emailAddress: 'Me@Example.com', status: 'pending', created: true });
    expect(vault.tokens.get(first.id)).toBe('rt-1');
    expect(oauth.presented).toEqual(['browser https://oauth.example/authorize?scope=https://www.googleapis.com/auth/gmail.readonly']);
    const again = await login(loginDeps(oauth, vault), { noBrowser: true, push: true });
    expect(again).toMatchObject({ id: first.id, created: false });
    expect(oauth.presented).toHaveLength(1);
    expect((await store.storage.mailboxes.get(first.id))?.scope).toBe('https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/pubsub');
  });

  it('login writes nothing when the account is not the hinted one or no refresh token came back', async () => {
    const vault = memoryVault();
    await expect(login(loginDeps(scriptedOAuth({ emailAddress: 'other@example.com', refreshToken: 'rt' }), vault), { loginHint: 'me@example.com' })).rejects.toMatchObject({ code: 'login_hint_mismatch' });
    await expect(login(loginDeps(scriptedOAuth({ emailAddress: 'me@example.com', refreshToken: null }), vault), {})).rejects.toMatchObject({ code: 'oauth_failed' });
    expect(await store.storage.mailboxes.list()).toEqual([]);
    expect(vault.tokens.size).toBe(0);
  });

  it('logout reports a failed revocation, deletes the credential and marks the mailbox signed out; login re-activates it', async () => {
    const vault = memoryVault();
    const oauth = scriptedOAuth({ emailAddress: 'me@example.com', refreshToken: 'rt-1' });
    const { id } = await login(loginDeps(oauth, vault), {});
    const result = await logout(logoutDeps(vault, async () => Promise.reject(new Error('revocation refused\nmore'))), {});
    expect(result).toMatchObject({ id, revoked: false, revokeError: 'revocation refused', credentialDeleted: true, purged: false, watchStopped: null });
    expect(await store.storage.mailboxes.get(id)).toMatchObject({ status: 'reauth_required', statusReason: 'signed out' });
    expect(await login(loginDeps(oauth, vault), {})).toMatchObject({ id, status: 'pending', created: false });
  });

  it('logout --purge revokes with the mailbox token and deletes the mailbox with its events', async () => {
    const vault = memoryVault();
    const { id } = await login(loginDeps(scriptedOAuth({ emailAddress: 'me@example.com', refreshToken: 'rt-1' }), vault), {});
    await store.storage.mailboxes.setStatus(id, 'active', null, { now: 1, newEventId: () => 'evt_active' });
    const revoked: string[] = [];
    const result = await logout(logoutDeps(vault, async ({ token, oauthUrl }) => void revoked.push(`${oauthUrl} ${token}`)), { mailbox: 'ME@example.com', purge: true });
    expect(result).toMatchObject({ revoked: true, purged: true });
    expect(revoked).toEqual(['https://oauth.example/ rt-1']);
    expect(await store.storage.mailboxes.list()).toEqual([]);
    expect(await store.storage.events.count({ mailboxIds: [id] })).toBe(0);
  });
});
