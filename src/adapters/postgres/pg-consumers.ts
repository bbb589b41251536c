/**
 * The Consumers port on PostgreSQL (src/app/ports/consumers.ts): `consumers` (name → cursor)
 * and `consumer_threads` (per-thread positions above it). An upsert is one statement (two
 * processes creating the same consumer get one row); a checkpoint is one transaction whose
 * cursor and thread positions only move forward (greatest()), whatever order concurrent
 * checkpoints commit in.
 */
import type { ConsumerProgress, ConsumerRow, Consumers } from '../../app/ports/consumers.js';
import { chunks, inTransaction, num, query, valuesList, type PgHandle, type Queryable } from './pg-transaction.js';

const COLUMNS = 'name, kind, target, last_sequence, pid, heartbeat_at, created_at, updated_at';

interface Row {
  name: string;
  kind: string;
  target: string | null;
  last_sequence: string;
  pid: number | null;
  heartbeat_at: string | null;
  created_at: string;
  updated_at: string;
}

function toConsumer(row: Row): ConsumerRow {
  return {
    name: row.name, kind: row.kind, target: row.target, lastSequence: num(row.last_sequence), pid: row.pid, heartbeatAt: num(row.heartbeat_at),
    createdAt: num(row.created_at), updatedAt: num(row.updated_at),
  };
}

export function postgresConsumers(store: PgHandle): Consumers {
  // Pruning scans the consumer's thread rows: only when its cursor moved past the last prune here.
  const prunedTo = new Map<string, number>();
  return {
    async get(name) {
      const result = await query<Row>(store, `select ${COLUMNS} from consumers where name = $1`, [name]);
      return result.rows[0] ? toConsumer(result.rows[0]) : undefined;
    },
    async list() {
      return (await query<Row>(store, `select ${COLUMNS} from consumers order by name collate "C"`)).rows.map(toConsumer);
    },
    upsert: (input) => inTransaction(store, async (client) => {
      const result = await client.query<Row>(`insert into consumers as c (name, kind, target, last_sequence, pid, heartbeat_at, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $6, $6)
        on conflict (name) do update set target = excluded.target, pid = excluded.pid, heartbeat_at = excluded.heartbeat_at, updated_at = excluded.updated_at,
        last_sequence = case when $7::boolean then excluded.last_sequence else c.last_sequence end
        returning ${COLUMNS}, (xmax <> 0) as existed`, [input.name, input.kind, input.target, input.startAfter, input.pid, input.now, input.reposition]);
      // xmax is set on the row version an ON CONFLICT update wrote, 0 on a fresh insert.
      const row = result.rows[0] as Row & { existed: boolean };
      // A consumer moved elsewhere starts over: positions kept for the old place no longer apply.
      if (row.existed && input.reposition) await client.query('delete from consumer_threads where consumer = $1', [input.name]);
      return toConsumer(row);
    }),
    async checkpoint(name, progress, now) {
      const prune = progress.watermark > (prunedTo.get(name) ?? -1);
      await inTransaction(store, (client) => checkpoint(client, name, progress, now, prune));
      if (prune) prunedTo.set(name, progress.watermark);
    },
    async threadPositions(name) {
      const result = await query<{ key: string; sequence: string }>(store, `select t.ordering_key as key, t.last_sequence as sequence from consumer_threads t
        join consumers c on c.name = t.consumer where t.consumer = $1 and t.last_sequence > c.last_sequence`, [name]);
      return new Map(result.rows.map((row) => [row.key, num(row.sequence)]));
    },
    async remove(name) {
      return (await query(store, 'delete from consumers where name = $1', [name])).rowCount === 1;
    },
    async release(name, now) {
      await query(store, 'update consumers set pid = null, heartbeat_at = $1 where name = $2', [now, name]);
    },
  };
}

async function checkpoint(client: Queryable, name: string, progress: ConsumerProgress, now: number, prune: boolean): Promise<void> {
  await client.query('update consumers set last_sequence = greatest(last_sequence, $1), heartbeat_at = $2, updated_at = $2 where name = $3', [progress.watermark, now, name]);
  if (prune) await client.query('delete from consumer_threads where consumer = $1 and last_sequence <= $2', [name, progress.watermark]);
  // In key order: concurrent checkpoints of one consumer lock its thread rows in the same order.
  const above = [...progress.threads].filter(([, sequence]) => sequence > progress.watermark).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const chunk of chunks(above, 1000)) {
    await client.query(`insert into consumer_threads as t (consumer, ordering_key, last_sequence) values ${valuesList(chunk.length, 3)}
      on conflict (consumer, ordering_key) do update set last_sequence = greatest(t.last_sequence, excluded.last_sequence)`, chunk.flatMap(([key, sequence]) => [name, key, sequence]));
  }
}
