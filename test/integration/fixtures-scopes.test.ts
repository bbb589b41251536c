/**
 * Scope enforcement: each scope allows what Google documents (hand-written expectations here,
 * checked against the server whose rules come from the discovery document).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { gmail_v1 } from '@googleapis/gmail';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { connectedGmail, failure, headerOf, CLIENT_ID } from '../support/fixture-gmail.js';
import { startSyncHarness } from '../support/sync-harness.js';

const NO_RETRY = { retry: false } as const;
const scope = (name: string) => (name === 'mail' ? 'https://mail.google.com/' : `https://www.googleapis.com/auth/${name}`);
const raw = Buffer.from('To: someone@example.com\r\nSubject: scope test\r\n\r\nHi\r\n').toString('base64url');

type Call = (api: gmail_v1.Gmail, ids: { message: string; thread: string }) => Promise<unknown>;
const CALLS: Record<string, Call> = {
  getProfile: (api) => api.users.getProfile({ userId: 'me' }, NO_RETRY),
  'labels.list': (api) => api.users.labels.list({ userId: 'me' }, NO_RETRY),
  'labels.create': (api) => api.users.labels.create({ userId: 'me', requestBody: { name: `L${Math.random()}` } }, NO_RETRY),
  'messages.list': (api) => api.users.messages.list({ userId: 'me' }, NO_RETRY),
  'messages.get(metadata)': (api, ids) => api.users.messages.get({ userId: 'me', id: ids.message, format: 'metadata' }, NO_RETRY),
  'messages.get(full)': (api, ids) => api.users.messages.get({ userId: 'me', id: ids.message }, NO_RETRY),
  'messages.modify': (api, ids) => api.users.messages.modify({ userId: 'me', id: ids.message, requestBody: { addLabelIds: ['STARRED'] } }, NO_RETRY),
  'messages.send': (api) => api.users.messages.send({ userId: 'me', requestBody: { raw } }, NO_RETRY),
  'messages.insert': (api) => api.users.messages.insert({ userId: 'me', requestBody: { raw } }, NO_RETRY),
  'messages.delete': (api) => api.users.messages.delete({ userId: 'me', id: 'fffffffffffffff1' }, NO_RETRY),
  'drafts.create': (api) => api.users.drafts.create({ userId: 'me', requestBody: { message: { raw } } }, NO_RETRY),
  'history.list': (api) => api.users.history.list({ userId: 'me', startHistoryId: '1' }, NO_RETRY),
};

// What Google's scope documentation grants (https://developers.google.com/gmail/api/auth/scopes).
const ALLOWED: Record<string, string[]> = {
  'gmail.readonly': ['getProfile', 'labels.list', 'messages.list', 'messages.get(metadata)', 'messages.get(full)', 'history.list'],
  'gmail.metadata': ['getProfile', 'labels.list', 'messages.list', 'messages.get(metadata)', 'history.list'],
  'gmail.modify': ['getProfile', 'labels.list', 'labels.create', 'messages.list', 'messages.get(metadata)', 'messages.get(full)', 'messages.modify', 'messages.send', 'messages.insert', 'drafts.create', 'history.list'],
  'gmail.send': ['messages.send'],
  'gmail.labels': ['labels.list', 'labels.create'],
  'gmail.compose': ['getProfile', 'messages.send', 'drafts.create'],
  'gmail.insert': ['messages.insert'],
  mail: Object.keys(CALLS),
  'drive.readonly': [],
};

describe('OAuth scopes are enforced as Google documents them', () => {
  let server: FixtureServer;
  let ids: { message: string; thread: string };

  beforeAll(async () => {
    server = await startFixtureServer({ seed: 2, quota: false, mailboxes: [{ generate: { messages: 10 } }] });
    const first = (await server.control.snapshot()).messages[0];
    ids = { message: first.id, thread: first.threadId };
  });
  afterAll(() => server.close());

  for (const [name, allowed] of Object.entries(ALLOWED)) {
    it(`${name} allows exactly ${allowed.length === Object.keys(CALLS).length ? 'everything' : allowed.join(', ') || 'nothing'}`, async () => {
      const { api } = await connectedGmail(server, undefined, scope(name));
      const outcome: Record<string, number> = {};
      for (const [call, run] of Object.entries(CALLS)) {
        try {
          await run(api, ids);
          outcome[call] = 200;
        } catch (error) {
          outcome[call] = (error as { response?: { status: number } }).response?.status ?? -1;
        }
      }
      const permitted = Object.entries(outcome).filter(([, status]) => status !== 403).map(([call]) => call);
      expect(permitted.sort()).toEqual([...allowed].sort());
    });
  }

  it('403 insufficientPermissions has Google\'s shape and a WWW-Authenticate insufficient_scope challenge', async () => {
    const { api } = await connectedGmail(server, undefined, scope('gmail.readonly'));
    const error = await failure(api.users.messages.modify({ userId: 'me', id: ids.message, requestBody: { addLabelIds: ['STARRED'] } }, NO_RETRY));
    expect(error.status).toBe(403);
    expect(error.data.error).toMatchObject({ code: 403, message: 'Request had insufficient authentication scopes.', status: 'PERMISSION_DENIED', errors: [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }] });
    expect((error.data.error as unknown as { details: Array<{ reason: string }> }).details[0].reason).toBe('ACCESS_TOKEN_SCOPE_INSUFFICIENT');
    expect(headerOf(error.headers, 'www-authenticate')).toMatch(/^Bearer realm="https:\/\/accounts\.google\.com\/", error="insufficient_scope", scope=".*gmail\.modify/);
  });

  it('gmail.metadata refuses q and format=full|raw with 403 (messages and threads), and allows minimal and metadata', async () => {
    const { api } = await connectedGmail(server, undefined, scope('gmail.metadata'));
    const q = await failure(api.users.messages.list({ userId: 'me', q: 'is:unread' }, NO_RETRY));
    expect(q.status).toBe(403);
    expect(q.data.error.message).toBe("Metadata scope does not support 'q' parameter");
    expect((await failure(api.users.threads.list({ userId: 'me', q: 'in:inbox' }, NO_RETRY))).status).toBe(403);
    for (const format of ['full', 'raw']) {
      const refused = await failure(api.users.messages.get({ userId: 'me', id: ids.message, format }, NO_RETRY));
      expect(refused.status).toBe(403);
      expect(refused.data.error.message).toBe(`Metadata scope doesn't allow format ${format.toUpperCase()}`);
    }
    expect((await failure(api.users.threads.get({ userId: 'me', id: ids.thread }, NO_RETRY))).status).toBe(403);
    expect((await api.users.messages.get({ userId: 'me', id: ids.message, format: 'minimal' })).status).toBe(200);
    expect((await api.users.threads.get({ userId: 'me', id: ids.thread, format: 'metadata' })).status).toBe(200);
    expect((await api.users.messages.list({ userId: 'me', labelIds: ['INBOX'] })).status).toBe(200);
    // With a broader scope alongside, metadata's limits do not apply.
    const both = await connectedGmail(server, undefined, `${scope('gmail.metadata')} ${scope('gmail.readonly')}`);
    expect((await both.api.users.messages.list({ userId: 'me', q: 'is:unread' })).status).toBe(200);
  });

  it('an authorize request without a scope is refused (400 invalid_request), as Google does', async () => {
    const base = `${server.url}o/oauth2/v2/auth?client_id=${CLIENT_ID}&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/cb')}&response_type=code`;
    const refused = await fetch(base, { redirect: 'manual' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Missing required parameter: scope');
    const granted = await fetch(`${base}&scope=${encodeURIComponent(scope('gmail.readonly'))}`, { redirect: 'manual' });
    expect(granted.status).toBe(302);
  });
});

describe('mailmon login --fixture', () => {
  it('asks for gmail.readonly, the scope mailmon needs, and syncs with it', async () => {
    const h = await startSyncHarness({ mailboxes: [{ generate: { messages: 5, seed: 3 } }] });
    try {
      const authorize = (await h.server.control.requests()).find((entry) => entry.path.startsWith('/o/oauth2/'))!;
      expect(new URL(authorize.path, h.server.url).searchParams.get('scope')).toBe(scope('gmail.readonly'));
      await h.sync();
      expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
    } finally {
      await h.close();
    }
  });
});

describe('mailmon under a real gmail.metadata grant', () => {
  it('login --scope metadata gets a metadata token, and sync works within its limits (no q, no format=full)', async () => {
    const h = await startSyncHarness({ mailboxes: [{ generate: { messages: 12, seed: 5 } }] }, { scope: 'metadata' });
    try {
      await h.sync();
      expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
      const before = h.maxSequence();
      await h.server.control.modify({ id: (await h.serverSnapshot())[0].id, addLabelIds: ['STARRED'] });
      await h.sync();
      expect(h.eventsAfter(before).map((event) => event.type)).toContain('message.updated');
      const log = await h.server.control.requests();
      expect(log.filter((entry) => entry.status === 403)).toEqual([]);
      expect(new URL(log.find((entry) => entry.path.startsWith('/o/oauth2/'))!.path, h.server.url).searchParams.get('scope')).toBe(scope('gmail.metadata'));
    } finally {
      await h.close();
    }
  });
});
