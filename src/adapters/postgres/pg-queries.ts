/**
 * How the PostgreSQL adapters talk to the pool: parameterized queries whose bigint columns
 * (times in epoch milliseconds, event sequences, counts) come back as JavaScript numbers, and
 * `inTransaction`, which runs a function on one pooled connection between BEGIN and COMMIT.
 * A transaction that throws is rolled back, and a connection whose rollback fails (the server
 * dropped it) is destroyed rather than returned to the pool. `translatingErrors` gives a port
 * the driver errors as MailmonErrors.
 */
import pg from 'pg';
import { translatePostgresError } from './pg-errors.js';

export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

const INT8_OID = 20;

/** Every value mailmon keeps in a bigint is below 2^53: times in ms, sequences, counts. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format))) as pg.CustomTypesConfig['getTypeParser'],
};

export async function query<T extends pg.QueryResultRow>(client: Queryable, text: string, values: unknown[] = []): Promise<pg.QueryResult<T>> {
  return client.query<T>({ text, values, types });
}

export async function rows<T extends pg.QueryResultRow>(client: Queryable, text: string, values: unknown[] = []): Promise<T[]> {
  return (await query<T>(client, text, values)).rows;
}

/** Runs `work` as one READ COMMITTED transaction and returns what it returns; a throw rolls it back. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    broken = await client.query('rollback').then(() => false, () => true);
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * The port with every method's driver errors turned into MailmonErrors (pg-errors.ts): a lost
 * connection or an unreachable server says so, by the store URL without its password.
 */
export function translatingErrors<T extends object>(port: T, display: string): T {
  const wrapped = {} as Record<string, unknown>;
  for (const [name, method] of Object.entries(port)) {
    wrapped[name] = typeof method === 'function'
      ? (...args: unknown[]) => (method as (...a: unknown[]) => Promise<unknown>)(...args).catch((error: unknown) => Promise.reject(translatePostgresError(error, display)))
      : method;
  }
  return wrapped as T;
}
