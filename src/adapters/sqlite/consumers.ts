/** Durable cursors of event consumers (one per `listen --forward-to` target): name → last delivered sequence. */
import type Database from 'better-sqlite3';

export interface ConsumerRow {
  name: string;
  kind: string;
  target: string | null;
  lastSequence: number;
  pid: number | null;
  heartbeatAt: number | null;
  createdAt: number;
  updatedAt: number;
}

const COLUMNS = 'name, kind, target, last_sequence as lastSequence, pid, heartbeat_at as heartbeatAt, created_at as createdAt, updated_at as updatedAt';

export class Consumers {
  private readonly advanceStatement: Database.Statement;

  constructor(private readonly sqlite: Database.Database) {
    this.advanceStatement = sqlite.prepare('update consumers set last_sequence = max(last_sequence, ?), heartbeat_at = ?, updated_at = ? where name = ?');
  }

  get(name: string): ConsumerRow | undefined {
    return this.sqlite.prepare(`select ${COLUMNS} from consumers where name = ?`).get(name) as ConsumerRow | undefined;
  }

  list(): ConsumerRow[] {
    return this.sqlite.prepare(`select ${COLUMNS} from consumers order by name`).all() as ConsumerRow[];
  }

  /** Creates the consumer at `startAfter`, or moves an existing one there when `reposition`. */
  upsert(input: { name: string; kind: string; target: string | null; startAfter: number; reposition: boolean; now: number }): ConsumerRow {
    this.sqlite.transaction(() => {
      const existing = this.get(input.name);
      if (!existing) {
        this.sqlite.prepare('insert into consumers (name, kind, target, last_sequence, pid, heartbeat_at, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)')
          .run(input.name, input.kind, input.target, input.startAfter, process.pid, input.now, input.now, input.now);
      } else {
        this.sqlite.prepare(`update consumers set target = ?, pid = ?, heartbeat_at = ?, updated_at = ?${input.reposition ? ', last_sequence = ?' : ''} where name = ?`)
          .run(...[input.target, process.pid, input.now, input.now, ...(input.reposition ? [input.startAfter] : []), input.name]);
      }
    }).immediate();
    return this.get(input.name)!;
  }

  /** Moves the cursor forward only (never back), e.g. to a forwarder's watermark. */
  advance(name: string, sequence: number, now: number): void {
    this.advanceStatement.run(sequence, now, now, name);
  }

  /** Deletes the consumer and its cursor; false when there was none. */
  remove(name: string): boolean {
    return this.sqlite.prepare('delete from consumers where name = ?').run(name).changes > 0;
  }

  release(name: string, now: number): void {
    this.sqlite.prepare('update consumers set pid = null, heartbeat_at = ? where name = ?').run(now, name);
  }
}
