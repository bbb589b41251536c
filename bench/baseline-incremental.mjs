/**
 * incremental baseline: the same Gmail requests as mailmon's incremental sync, by the same client
 * (@googleapis/gmail + google-auth-library) at the same concurrency — history.list pages from the
 * mailbox's cursor, collapsed and planned by mailmon's own pure code (src/core/history.ts,
 * src/core/fetch-plan.ts, thread-aware), then threads.get / messages.get (`full` for messages new
 * to the home, `minimal` for known ones). It keeps nothing: no state, no diff, no SQLite.
 *
 *   node bench/baseline-incremental.mjs <fixture-url> <control-token> <state.json> [concurrency]
 * state.json: { cursor, known: [provider message ids] }, the home's cursor and messages as they
 * were before mailmon's sync of the same changes. Prints one JSON line: { records, fetched, ms }.
 */
import { performance } from 'node:perf_hooks';
import fs from 'node:fs';
import { gmail } from '@googleapis/gmail';
import { OAuth2Client } from 'google-auth-library';
import pLimit from 'p-limit';
import { MESSAGE_FIELDS } from '../dist/src/core/message-state.js';
import { collapseHistory, emptyCollapse } from '../dist/src/core/history.js';
import { planFetches } from '../dist/src/core/fetch-plan.js';

const [base, controlToken, stateFile, concurrencyArg] = process.argv.slice(2);
const concurrency = Number(concurrencyArg ?? 25);
const started = performance.now();
const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
const cursor = state.cursor;
const known = new Set(state.known);

const grant = await (await globalThis.fetch(`${base}__fixture/issue-token`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${controlToken}` }, body: JSON.stringify({ clientId: 'mailmon-bench' }) })).json();
const auth = new OAuth2Client({ clientId: 'mailmon-bench', endpoints: { oauth2AuthBaseUrl: `${base}o/oauth2/v2/auth`, oauth2TokenUrl: `${base}token`, oauth2RevokeUrl: `${base}revoke` } });
auth.setCredentials({ refresh_token: grant.refreshToken });
const users = gmail({ version: 'v1', auth, rootUrl: base, retry: false }).users;
const limit = pLimit(concurrency);

const collapsed = emptyCollapse();
let pageToken;
do {
  const page = (await users.history.list({ userId: 'me', startHistoryId: cursor, pageToken, maxResults: 500 })).data;
  collapseHistory(page.history ?? [], collapsed);
  pageToken = page.nextPageToken ?? undefined;
} while (pageToken);

const fullFields = { format: 'full', fields: MESSAGE_FIELDS };
const minimalFields = { format: 'minimal', fields: 'id,threadId,labelIds,snippet,historyId,internalDate,sizeEstimate' };
const targets = [...collapsed.fetch].map(([id, info]) => ({ id, threadId: info.threadId, addedInRun: info.addedInRun }));
let fetched = 0;
await Promise.all(planFetches(targets, true).map(async (call) => {
  if (call.call === 'messages.get') {
    await Promise.all(call.targets.map((target) => limit(async () => {
      const request = known.has(target.id) ? minimalFields : fullFields;
      await users.messages.get({ userId: 'me', id: target.id, ...request }).catch((error) => { if (error?.status !== 404 && error?.code !== 404) throw error; });
      fetched += 1;
    })));
    return;
  }
  const request = call.targets.every((target) => known.has(target.id)) ? minimalFields : fullFields;
  await limit(() => users.threads.get({ userId: 'me', id: call.threadId, ...request, fields: `id,messages(${request.fields})` }).catch((error) => { if (error?.status !== 404 && error?.code !== 404) throw error; }));
  fetched += call.targets.length;
}));

process.stdout.write(`${JSON.stringify({ records: collapsed.records, fetched, ms: performance.now() - started })}\n`);
