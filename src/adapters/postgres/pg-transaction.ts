/**
 * How the PostgreSQL adapters talk to the pool: one port method = one transaction on one pooled
 * connection (`inTransaction`), or one autocommitted statement (`query`). Driver errors come out
 * translated (pg-errors.ts); a connection whose transaction failed and could not even be rolled
 * back is destroyed rather than returned to the pool. A committed transaction that appended
 * events wakes this process's change notifiers at once (pg-commit-signal.ts).
 */
import type pg from 'pg';
import { transactionEnded } from './pg-commit-signal.js';
import { translatePostgresError } from './pg-errors.js';

/** What the adapters need of an open store (database.ts `PostgresStore`). */
export interface PgHandle {
  readonly pool: pg.Pool;
  /** The store URL without its password, for messages. */
  readonly display: string;
}

export type Queryable = Pick<pg.PoolClient, 'query'>;

export async function inTransaction<T>(store: PgHandle, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await store.pool.connect().catch((error: unknown) => {
    throw translatePostgresError(error, store.display);
  });
  let broken = false;
  let committed = false;
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    committed = true;
    return result;
  } catch (error) {
    broken = await client.query('rollback').then(() => false, () => true);
    throw translatePostgresError(error, store.display);
  } finally {
    transactionEnded(store, client, committed);
    client.release(broken);
  }
}

/** One statement outside any transaction of ours. */
export async function query<R extends pg.QueryResultRow>(store: PgHandle, text: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
  try {
    return await store.pool.query<R>(text, params);
  } catch (error) {
    throw translatePostgresError(error, store.display);
  }
}

/** `($1, $2), ($3, $4)` for rows of `width` values, numbered from `first`. */
export function valuesList(rows: number, width: number, first = 1): string {
  return Array.from({ length: rows }, (_, row) => `(${Array.from({ length: width }, (_, column) => `$${first + row * width + column}`).join(', ')})`).join(', ');
}

/** Splits `items` so that a multi-row statement stays well under PostgreSQL's 65535 parameters. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let offset = 0; offset < items.length; offset += size) result.push(items.slice(offset, offset + size));
  return result;
}

/** bigint columns arrive as strings (they may exceed 2^53); mailmon's values (ms, counts) do not. */
export function num(value: string | number): number;
export function num(value: string | number | null): number | null;
export function num(value: string | number | null): number | null {
  return value === null ? null : Number(value);
}
