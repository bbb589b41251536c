/**
 * full-sync baseline: the plainest loop that makes the same Gmail requests as mailmon's full
 * sync with the same client (@googleapis/gmail + google-auth-library) at the same concurrency —
 * getProfile, labels.list, then page by page: messages.list (maxResults 500, includeSpamTrash)
 * and messages.get (format full, mailmon's MESSAGE_FIELDS) for the page's ids, 25 at a time.
 * It keeps nothing (no parsing into state, no SQLite): what is left is the cost of the wire.
 *
 *   node bench/baseline-sync.mjs <fixture-url> [concurrency] [control-token]
 * Prints one JSON line: { messages, ms }.
 */
import { performance } from 'node:perf_hooks';
import { gmail } from '@googleapis/gmail';
import { OAuth2Client } from 'google-auth-library';
import pLimit from 'p-limit';
import { MESSAGE_FIELDS } from '../dist/src/core/message-state.js';

const [base, concurrencyArg, controlToken] = process.argv.slice(2);
const concurrency = Number(concurrencyArg ?? 25);
const started = performance.now();

const grant = await (await globalThis.fetch(`${base}__fixture/issue-token`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${controlToken}` }, body: JSON.stringify({ clientId: 'mailmon-bench' }) })).json();
const auth = new OAuth2Client({ clientId: 'mailmon-bench', endpoints: { oauth2AuthBaseUrl: `${base}o/oauth2/v2/auth`, oauth2TokenUrl: `${base}token`, oauth2RevokeUrl: `${base}revoke` } });
auth.setCredentials({ refresh_token: grant.refreshToken });
const users = gmail({ version: 'v1', auth, rootUrl: base, retry: false }).users;
const limit = pLimit(concurrency);

await users.getProfile({ userId: 'me' });
await users.labels.list({ userId: 'me' });
let pageToken;
let messages = 0;
do {
  const page = (await users.messages.list({ userId: 'me', maxResults: 500, includeSpamTrash: true, pageToken, fields: 'messages(id,threadId),nextPageToken,resultSizeEstimate' })).data;
  const fetched = await Promise.all((page.messages ?? []).map((m) => limit(async () => (await users.messages.get({ userId: 'me', id: m.id, format: 'full', fields: MESSAGE_FIELDS })).data)));
  messages += fetched.length;
  pageToken = page.nextPageToken ?? undefined;
} while (pageToken);

process.stdout.write(`${JSON.stringify({ messages, ms: performance.now() - started })}\n`);
