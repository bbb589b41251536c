/**
 * Durable cursors of event consumers (one per `listen --forward-to` target): name → the sequence
 * up to which everything is finished, plus per-thread positions above it (consumer_threads), so
 * that what finished above a stuck thread is not sent again after a restart.
 */
import type Database from 'better-sqlite3';
import type { ConsumerProgress, ConsumerRow, Consumers as ConsumersPort } from '../../app/ports/consumers.js';

export type { ConsumerProgress, ConsumerRow };

const COLUMNS = 'name, kind, target, last_sequence as lastSequence, pid, heartbeat_at as heartbeatAt, created_at as createdAt, updated_at as updatedAt';

export class Consumers {
  private readonly advanceStatement: Database.Statement;
  private readonly pruneStatement: Database.Statement;
  private readonly threadStatement: Database.Statement;
  private readonly checkpointTransaction: (name: string, progress: ConsumerProgress, now: number) => void;
  private readonly prunedTo = new Map<string, number>();

  constructor(private readonly sqlite: Database.Database) {
    this.advanceStatement = sqlite.prepare('update consumers set last_sequence = max(last_sequence, ?), heartbeat_at = ?, updated_at = ? where name = ?');
    this.pruneStatement = sqlite.prepare('delete from consumer_threads where consumer = ? and last_sequence <= ?');
    this.threadStatement = sqlite.prepare('insert into consumer_threads (consumer, ordering_key, last_sequence) values (?, ?, ?) on conflict (consumer, ordering_key) do update set last_sequence = max(last_sequence, excluded.last_sequence)');
    this.checkpointTransaction = sqlite.transaction((name: string, progress: ConsumerProgress, now: number) => {
      this.advanceStatement.run(progress.watermark, now, now, name);
      // Pruning scans the consumer's rows: only when the cursor moved past the last prune.
      if (progress.watermark > (this.prunedTo.get(name) ?? -1)) {
        this.pruneStatement.run(name, progress.watermark);
        this.prunedTo.set(name, progress.watermark);
      }
      for (const [key, sequence] of progress.threads) if (sequence > progress.watermark) this.threadStatement.run(name, key, sequence);
    });
  }

  get(name: string): ConsumerRow | undefined {
    return this.sqlite.prepare(`select ${COLUMNS} from consumers where name = ?`).get(name) as ConsumerRow | undefined;
  }

  list(): ConsumerRow[] {
    return this.sqlite.prepare(`select ${COLUMNS} from consumers order by name`).all() as ConsumerRow[];
  }

  /** Creates the consumer at `startAfter`, or moves an existing one there when `reposition`. */
  upsert(input: { name: string; kind: string; target: string | null; startAfter: number; reposition: boolean; pid?: number; now: number }): ConsumerRow {
    const pid = input.pid ?? process.pid;
    this.sqlite.transaction(() => {
      const existing = this.get(input.name);
      if (!existing) {
        this.sqlite.prepare('insert into consumers (name, kind, target, last_sequence, pid, heartbeat_at, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)')
          .run(input.name, input.kind, input.target, input.startAfter, pid, input.now, input.now, input.now);
      } else {
        this.sqlite.prepare(`update consumers set target = ?, pid = ?, heartbeat_at = ?, updated_at = ?${input.reposition ? ', last_sequence = ?' : ''} where name = ?`)
          .run(...[input.target, pid, input.now, input.now, ...(input.reposition ? [input.startAfter] : []), input.name]);
        // A consumer moved elsewhere starts over: positions kept for the old place no longer apply.
        if (input.reposition) this.sqlite.prepare('delete from consumer_threads where consumer = ?').run(input.name);
      }
    }).immediate();
    return this.get(input.name)!;
  }

  /**
   * One transaction: moves the cursor forward (never back) to `watermark`, drops the thread
   * positions it now covers, and records the new ones above it.
   */
  checkpoint(name: string, progress: ConsumerProgress, now: number): void {
    this.checkpointTransaction(name, progress, now);
  }

  /** Per-thread positions above the cursor (what a restart must not send again). */
  threadPositions(name: string): Map<string, number> {
    const rows = this.sqlite.prepare('select t.ordering_key as key, t.last_sequence as sequence from consumer_threads t join consumers c on c.name = t.consumer where t.consumer = ? and t.last_sequence > c.last_sequence').all(name) as Array<{ key: string; sequence: number }>;
    return new Map(rows.map((row) => [row.key, row.sequence]));
  }

  /** Deletes the consumer and its cursor; false when there was none. */
  remove(name: string): boolean {
    return this.sqlite.prepare('delete from consumers where name = ?').run(name).changes > 0;
  }

  release(name: string, now: number): void {
    this.sqlite.prepare('update consumers set pid = null, heartbeat_at = ? where name = ?').run(now, name);
  }
}

/** The Consumers port on SQLite. */
export function sqliteConsumers(sqlite: Database.Database): ConsumersPort {
  const consumers = new Consumers(sqlite);
  return {
    get: async (name) => consumers.get(name),
    list: async () => consumers.list(),
    upsert: async (input) => consumers.upsert(input),
    checkpoint: async (name, progress, now) => consumers.checkpoint(name, progress, now),
    threadPositions: async (name) => consumers.threadPositions(name),
    remove: async (name) => consumers.remove(name),
    release: async (name, now) => consumers.release(name, now),
  };
}
