/**
 * The SyncCommit port on PostgreSQL (src/app/ports/sync-commit.ts). One commit is one
 * transaction: lock the mailbox row and check the epoch → load the snapshot (a few statements,
 * not one per message or thread) → plan (src/core/commit-plan.ts, shared with SQLite) → apply
 * the writes, batched per statement → move the cursor, fenced by the epoch (0 rows: rollback,
 * lease_lost) → append the events last, under the event log's lock (pg-event-log.ts), so that
 * lock is held for as short a time as possible. Locking the mailbox row first serializes commits
 * of one mailbox: the diff is made against the rows as they are.
 */
import { MailmonError } from '../../core/errors.js';
import type { LocalMessage } from '../../core/diff.js';
import { diffCommit, planCommit, remoteId, type CommitPlan, type PlannedMessage } from '../../core/commit-plan.js';
import type { ChangeCounts, CommitInput, CommitResult, SyncCommit } from '../../app/ports/sync-commit.js';
import type { MailboxStatus } from '../../app/ports/mailboxes.js';
import { newId, type IdGenerator } from '../system/ids.js';
import { cursorFields, leaseLost } from '../sync-commit-shared.js';
import { appendEvents } from './pg-event-log.js';
import { messageColumns, rowToLocal, type MessageRow } from './pg-message-rows.js';
import { translatePostgresError } from './pg-errors.js';
import { chunks, inTransaction, num, query, valuesList, type PgHandle, type Queryable } from './pg-transaction.js';

const MESSAGE_COLUMNS = messageColumns('m.');

/** Statements take id lists as one array parameter; chunked only to keep each result modest. */
const ID_CHUNK = 5_000;

/**
 * The stored messages whose `key` is one of `values`: one index probe per value, whatever the
 * planner's statistics say. `key = any($2)` is planned from them, and while a mailbox's first
 * full sync grows the table faster than autovacuum re-analyzes it, the planner believes the
 * mailbox small and scans every message of it against the list: each page of a full sync
 * costs more than the last. The LATERAL subquery (OFFSET 0 keeps it from being flattened into
 * a join) is run per value with both columns of the index (mailbox_id, key) bound.
 */
async function messagesWhere(client: Queryable, key: 'provider_message_id' | 'provider_thread_id', mailboxId: string, values: readonly string[]): Promise<LocalMessage[]> {
  const found: LocalMessage[] = [];
  for (const chunk of chunks([...new Set(values)], ID_CHUNK)) {
    const rows = await client.query<MessageRow>(`select ${MESSAGE_COLUMNS} from unnest($2::text[]) as k(value)
      cross join lateral (select * from messages where mailbox_id = $1 and ${key} = k.value offset 0) as m`, [mailboxId, chunk]);
    found.push(...rows.rows.map(rowToLocal));
  }
  return found;
}

export function postgresSyncCommit(store: PgHandle, ids: IdGenerator = newId): SyncCommit {
  return {
    commit: (input) => inTransaction(store, (client) => commitInTransaction(client, input, ids)),
    async loadLocal(mailboxId, providerIds) {
      const locals = await messagesWhere(store.pool, 'provider_message_id', mailboxId, providerIds).catch((error: unknown) => {
        throw translatePostgresError(error, store.display);
      });
      return new Map(locals.map((local) => [local.state.providerMessageId, local]));
    },
    async markedIds(mailboxId, providerIds, mark) {
      const rows = await query<{ id: string }>(store, 'select provider_message_id as id from messages where mailbox_id = $1 and sync_mark = $2 and provider_message_id = any($3::text[])', [mailboxId, mark, [...providerIds]]);
      return new Set(rows.rows.map((row) => row.id));
    },
    replaceLabels: (mailboxId, labels, now) => inTransaction(store, async (client) => {
      await client.query('delete from labels where mailbox_id = $1', [mailboxId]);
      for (const chunk of chunks(labels, 1000)) {
        await client.query(`insert into labels (mailbox_id, id, name, type, updated_at) values ${valuesList(chunk.length, 5)}`, chunk.flatMap((label) => [mailboxId, label.id, label.name, label.type, now]));
      }
    }),
    knownLabelIds: async (mailboxId) => new Set((await query<{ id: string }>(store, 'select id from labels where mailbox_id = $1', [mailboxId])).rows.map((row) => row.id)),
    async localLabels(mailboxId) {
      const rows = await query<{ id: string; labels: string[] }>(store, 'select provider_message_id as id, label_ids as labels from messages where mailbox_id = $1', [mailboxId]);
      return new Map(rows.rows.map((row) => [row.id, row.labels]));
    },
  };
}

async function commitInTransaction(client: Queryable, input: CommitInput, ids: IdGenerator): Promise<CommitResult> {
  const mailboxId = input.mailbox.id;
  const status = await lockMailbox(client, mailboxId, input.epoch);
  const locals = await messagesWhere(client, 'provider_message_id', mailboxId, input.remote.map(remoteId));
  const unmarked = input.sweepUnmarked ? await unmarkedMessages(client, mailboxId, input.sweepUnmarked) : [];
  const diff = diffCommit(input, { locals: new Map(locals.map((local) => [local.state.providerMessageId, local])), unmarked });
  const threads = [...diff.threads];
  const snapshot = { status, threadMessages: await messagesWhere(client, 'provider_thread_id', mailboxId, threads), threadIds: await threadIds(client, mailboxId, threads) };
  const plan = planCommit(input, diff, snapshot, ids);
  await applyPlan(client, mailboxId, plan, input);
  await moveCursor(client, input, plan.counts);
  const events = await appendEvents(client, plan.drafts, input.mailbox, input.now);
  return { ...plan.counts, events };
}

/** The mailbox's status, its row locked until the commit ends, if `epoch` is still its lease epoch. */
async function lockMailbox(client: Queryable, mailboxId: string, epoch: number): Promise<MailboxStatus> {
  const rows = await client.query<{ epoch: string; status: MailboxStatus }>('select lease_epoch as epoch, status from mailboxes where id = $1 for update', [mailboxId]);
  const current = rows.rows[0];
  if (!current) throw new MailmonError('mailbox_not_found', `Mailbox ${mailboxId} no longer exists.`);
  if (num(current.epoch) !== epoch) throw leaseLost(mailboxId, epoch, num(current.epoch));
  return current.status;
}

async function unmarkedMessages(client: Queryable, mailboxId: string, mark: string): Promise<LocalMessage[]> {
  const rows = await client.query<MessageRow>(`select ${MESSAGE_COLUMNS} from messages as m where mailbox_id = $1 and (sync_mark is null or sync_mark <> $2)`, [mailboxId, mark]);
  return rows.rows.map(rowToLocal);
}

async function threadIds(client: Queryable, mailboxId: string, providerThreadIds: string[]): Promise<Map<string, string>> {
  if (providerThreadIds.length === 0) return new Map();
  const rows = await client.query<{ id: string; provider_thread_id: string }>('select id, provider_thread_id from threads where mailbox_id = $1 and provider_thread_id = any($2::text[])', [mailboxId, providerThreadIds]);
  return new Map(rows.rows.map((row) => [row.provider_thread_id, row.id]));
}

/** Each kind of write is one statement (per chunk of rows), whatever the number of rows. */
async function applyPlan(client: Queryable, mailboxId: string, plan: CommitPlan, input: CommitInput): Promise<void> {
  const mark = input.mark ?? null;
  if (plan.marks.length > 0) await client.query('update messages set sync_mark = $1 where id = any($2::text[])', [mark, plan.marks]);
  for (const chunk of chunks(plan.inserts, 500)) await insertMessages(client, mailboxId, chunk, mark, input.now);
  if (plan.updates.length > 0) await updateMessages(client, plan.updates, mark, input.now);
  if (plan.deletes.length > 0) await client.query('delete from messages where id = any($1::text[])', [plan.deletes]);
  for (const chunk of chunks(plan.threadUpserts, 1000)) await upsertThreads(client, mailboxId, chunk, input.now);
  if (plan.threadDeletes.length > 0) await client.query('delete from threads where mailbox_id = $1 and provider_thread_id = any($2::text[])', [mailboxId, plan.threadDeletes]);
}

/** The inserted columns and their SQL types: one array parameter per column (see insertMessages). */
const INSERT_COLUMNS: Array<[string, string, (message: PlannedMessage) => unknown]> = [
  ['id', 'text', (m) => m.messageId], ['provider_message_id', 'text', (m) => m.state.providerMessageId], ['thread_id', 'text', (m) => m.threadId],
  ['provider_thread_id', 'text', (m) => m.state.providerThreadId], ['label_ids', 'jsonb', (m) => JSON.stringify(m.state.labelIds)], ['subject', 'text', (m) => m.state.subject],
  ['from_address', 'json', (m) => (m.state.from ? JSON.stringify(m.state.from) : null)], ['to_addresses', 'json', (m) => JSON.stringify(m.state.to)],
  ['cc_addresses', 'json', (m) => JSON.stringify(m.state.cc)], ['date_header', 'text', (m) => m.state.dateHeader], ['message_id_header', 'text', (m) => m.state.messageIdHeader],
  ['in_reply_to', 'text', (m) => m.state.inReplyTo], ['"references"', 'text', (m) => m.state.references], ['snippet', 'text', (m) => m.state.snippet],
  ['internal_date', 'bigint', (m) => m.state.internalDate], ['size_estimate', 'bigint', (m) => m.state.sizeEstimate], ['history_id', 'text', (m) => m.state.historyId],
  ['attachment_count', 'integer', (m) => m.state.attachmentCount], ['attachment_names', 'jsonb', (m) => JSON.stringify(m.state.attachmentNames)],
];

/**
 * One statement whatever the number of rows: each column is one array parameter, unnested
 * server-side. PostgreSQL parses and plans it in constant time, where a multi-row VALUES list
 * costs parse and plan time for every one of its rows × 23 parameters.
 */
async function insertMessages(client: Queryable, mailboxId: string, messages: PlannedMessage[], mark: string | null, now: number): Promise<void> {
  const names = INSERT_COLUMNS.map(([name]) => name).join(', ');
  const arrays = INSERT_COLUMNS.map(([, type], index) => `$${index + 5}::${type}[]`).join(', ');
  await client.query(`insert into messages (mailbox_id, sync_mark, created_at, updated_at, ${names}) select $1, $2, $3, $4, * from unnest(${arrays})`,
    [mailboxId, mark, now, now, ...INSERT_COLUMNS.map(([, , value]) => messages.map(value))]);
}

/** Only labels, snippet, historyId and thread change on an update (and the mark, when the commit has one). */
async function updateMessages(client: Queryable, messages: PlannedMessage[], mark: string | null, now: number): Promise<void> {
  await client.query(`update messages as m set label_ids = v.label_ids, snippet = v.snippet, history_id = v.history_id, provider_thread_id = v.provider_thread_id,
    thread_id = v.thread_id, sync_mark = coalesce($7, m.sync_mark), updated_at = $8
    from unnest($1::text[], $2::jsonb[], $3::text[], $4::text[], $5::text[], $6::text[]) as v(id, label_ids, snippet, history_id, provider_thread_id, thread_id)
    where m.id = v.id`, [
    messages.map((message) => message.messageId), messages.map((message) => JSON.stringify(message.state.labelIds)), messages.map((message) => message.state.snippet),
    messages.map((message) => message.state.historyId), messages.map((message) => message.state.providerThreadId), messages.map((message) => message.threadId), mark, now,
  ]);
}

/** Like insertMessages: one array parameter per column. */
async function upsertThreads(client: Queryable, mailboxId: string, threads: CommitPlan['threadUpserts'], now: number): Promise<void> {
  const column = <T>(value: (thread: CommitPlan['threadUpserts'][number]) => T) => threads.map(value);
  await client.query(`insert into threads (mailbox_id, updated_at, id, provider_thread_id, subject, snippet, message_count, label_ids, last_message_at, history_id)
    select $1, $2, * from unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::integer[], $8::jsonb[], $9::bigint[], $10::text[])
    on conflict (mailbox_id, provider_thread_id) do update set subject = excluded.subject, snippet = excluded.snippet, message_count = excluded.message_count,
    label_ids = excluded.label_ids, last_message_at = excluded.last_message_at, history_id = excluded.history_id, updated_at = excluded.updated_at`, [
    mailboxId, now, column((thread) => thread.threadId), column((thread) => thread.state.providerThreadId), column((thread) => thread.state.subject), column((thread) => thread.state.snippet),
    column((thread) => thread.state.messageCount), column((thread) => JSON.stringify(thread.state.labelIds)), column((thread) => thread.state.lastMessageAt), column((thread) => thread.state.historyId),
  ]);
}

/** Cursor, checkpoint and status, conditional on the epoch once more. */
async function moveCursor(client: Queryable, input: CommitInput, counts: ChangeCounts): Promise<void> {
  const fields = cursorFields(input, counts);
  const sets = ['updated_at = $1'];
  const params: unknown[] = [input.now];
  const set = (column: string, value: unknown) => {
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  };
  if (fields.historyId !== undefined) set('history_id', fields.historyId);
  if (fields.checkpoint !== undefined) set('full_sync_checkpoint', fields.checkpoint === null ? null : JSON.stringify(fields.checkpoint));
  if (fields.status) {
    set('status', fields.status.to);
    set('status_reason', fields.status.reason);
  }
  const updated = await client.query(`update mailboxes set ${sets.join(', ')} where id = $${params.length + 1} and lease_epoch = $${params.length + 2}`, [...params, input.mailbox.id, input.epoch]);
  if (updated.rowCount !== 1) throw leaseLost(input.mailbox.id, input.epoch);
}
