/**
 * Daemon membership in the shared PostgreSQL store (`daemons` table): one row per daemon,
 * upserted by its heartbeat, so every daemon on every machine sees the same members. Times
 * are the members' own clocks; `storeTime` is the database's, for skew checks.
 */
import type pg from 'pg';
import type { DaemonMember, Daemons } from '../../app/ports/daemons.js';

interface MemberRow {
  holder_id: string;
  host: string;
  pid: number;
  started_at: string;
  heartbeat_at: string;
}

const COLUMNS = 'holder_id, host, pid, started_at, heartbeat_at';

function toMember(row: MemberRow): DaemonMember {
  return { holderId: row.holder_id, host: row.host, pid: row.pid, startedAt: Number(row.started_at), heartbeatAt: Number(row.heartbeat_at) };
}

export function postgresDaemons(pool: pg.Pool): Daemons {
  return {
    async heartbeat(member) {
      await pool.query(
        `insert into daemons (${COLUMNS}) values ($1, $2, $3, $4, $5)
         on conflict (holder_id) do update set heartbeat_at = greatest(daemons.heartbeat_at, excluded.heartbeat_at)`,
        [member.holderId, member.host, member.pid, member.startedAt, member.heartbeatAt],
      );
    },
    async live(now, livenessMs) {
      const result = await pool.query<MemberRow>(`select ${COLUMNS} from daemons where heartbeat_at >= $1 order by started_at, holder_id`, [now - livenessMs]);
      return result.rows.map(toMember);
    },
    async list() {
      const result = await pool.query<MemberRow>(`select ${COLUMNS} from daemons order by started_at, holder_id`);
      return result.rows.map(toMember);
    },
    async leave(holderId) {
      await pool.query('delete from daemons where holder_id = $1', [holderId]);
    },
    async prune(now, olderThanMs) {
      const result = await pool.query<{ holder_id: string }>('delete from daemons where heartbeat_at < $1 returning holder_id', [now - olderThanMs]);
      return result.rows.map((row) => row.holder_id);
    },
    async storeTime() {
      const result = await pool.query<{ now: string }>(`select floor(extract(epoch from clock_timestamp()) * 1000)::bigint::text as now`);
      return Number(result.rows[0].now);
    },
  };
}
