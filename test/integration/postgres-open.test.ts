/** openPostgres against the real server the test run starts: migrations, refusals, errors. */
import net from 'node:net';
import os from 'node:os';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitCode, type MailmonError } from '../../src/core/errors.js';
import { ADVISORY_NAMESPACE, AdvisoryLock } from '../../src/adapters/postgres/advisory-locks.js';
import { openPostgres, shippedPgMigrations, translatePostgresError, type PostgresStore } from '../../src/adapters/postgres/database.js';
import { inTransaction } from '../../src/adapters/postgres/pg-transaction.js';
import { postgresStorage } from '../../src/adapters/postgres/postgres-storage.js';
import { createTestDatabase, testPostgresAdminUrl, type TestDatabase } from '../support/postgres.js';
import { freePort } from '../support/postgres-server.js';

const databases: TestDatabase[] = [];
const stores: PostgresStore[] = [];

async function freshDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  databases.push(database);
  return database;
}

async function open(url: string, options: Parameters<typeof openPostgres>[1] = {}): Promise<PostgresStore> {
  const store = await openPostgres(url, options);
  stores.push(store);
  return store;
}

async function rejection(promise: Promise<unknown>): Promise<MailmonError> {
  try {
    await promise;
  } catch (error) {
    return error as MailmonError;
  }
  throw new Error('expected a rejection');
}

async function migrationRows(store: PostgresStore): Promise<Array<{ id: number; hash: string }>> {
  return (await store.pool.query('select id, hash from drizzle.__drizzle_migrations order by id')).rows;
}

async function terminate(url: string, pid: number): Promise<void> {
  const killer = new pg.Client({ connectionString: url });
  await killer.connect();
  try {
    await killer.query('select pg_terminate_backend($1)', [pid]);
  } finally {
    await killer.end();
  }
}

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close().catch(() => undefined)));
  await Promise.all(databases.map((database) => database.drop()));
});

describe('the test PostgreSQL server', () => {
  it('is the one this test run started: on 127.0.0.1, a free port, in a temp directory', async () => {
    const admin = new URL(testPostgresAdminUrl());
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      const { rows } = await client.query(`select host(inet_server_addr()) as addr, inet_server_port() as port, current_setting('data_directory') as dir`);
      expect(rows[0]).toMatchObject({ addr: '127.0.0.1', port: Number(admin.port) });
      expect(rows[0].dir.startsWith(os.tmpdir())).toBe(true);
      expect(rows[0].dir).toContain('mailmon-pg-');
    } finally {
      await client.end();
    }
    console.info(`test PostgreSQL server started in ${process.env.MAILMON_TEST_PG_START_MS} ms`);
  });
});

describe('openPostgres migrations', () => {
  it('ten openers at once on a fresh database all succeed, and the migrations are applied once', async () => {
    const { url } = await freshDatabase();
    const opened = await Promise.all(Array.from({ length: 10 }, () => open(url, { poolSize: 2 })));
    const shipped = shippedPgMigrations();
    expect(shipped.length).toBeGreaterThan(0);
    expect((await migrationRows(opened[0])).map((row) => row.hash)).toEqual(shipped.map((migration) => migration.hash));
    const tables = await opened[0].pool.query(`select count(*)::int as n from information_schema.tables where table_schema = 'public' and table_name in ('mailboxes', 'events', 'deliveries', 'leases', 'daemons')`);
    expect(tables.rows[0].n).toBe(5);
  });

  it('re-opening an up-to-date store changes nothing', async () => {
    const { url } = await freshDatabase();
    const first = await open(url);
    await first.pool.query(`insert into mailboxes (id, email_address, created_at, updated_at) values ('mbx_1', 'a@example.com', 1, 1)`);
    const before = await migrationRows(first);
    // An up-to-date store opens without the migration lock: it opens while another session holds it.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    await holder.query('select pg_advisory_lock($1, $2)', [ADVISORY_NAMESPACE, AdvisoryLock.migrations]);
    const again = await open(url, { connectTimeoutMs: 5000 }).finally(() => holder.end());
    expect(await migrationRows(again)).toEqual(before);
    expect((await again.pool.query('select email_address from mailboxes')).rows).toEqual([{ email_address: 'a@example.com' }]);
  });

  it('refuses a store migrated by a newer mailmon, without changing it', async () => {
    const { url } = await freshDatabase();
    const store = await open(url);
    await store.pool.query('insert into drizzle.__drizzle_migrations (hash, created_at) values ($1, $2)', ['from-the-future', Date.now() + 10 ** 12]);
    const before = await migrationRows(store);
    for (const migrate of [true, false]) {
      const error = await rejection(openPostgres(url, { migrate }));
      expect(error).toMatchObject({ code: 'store_too_new', message: expect.stringContaining('was migrated by a newer mailmon') });
      expect(error.exitCode).toBe(ExitCode.store);
    }
    expect(await migrationRows(store)).toEqual(before);
  });
});

describe('openPostgres errors', () => {
  it('an unreachable server is store_unreachable, quickly, without the password', async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await rejection(openPostgres(`postgres://mailmon:s3cret@127.0.0.1:${port}/mailmon`, { connectTimeoutMs: 2000 }));
    expect(error).toMatchObject({ code: 'store_unreachable', message: expect.stringContaining(`127.0.0.1:${port}`), hint: expect.stringContaining('MAILMON_DATABASE_URL') });
    expect(error.exitCode).toBe(ExitCode.network);
    expect(error.message).not.toContain('s3cret');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a wrong password is store_auth_failed, a missing database store_database_missing', async () => {
    const admin = new URL(testPostgresAdminUrl());
    const wrong = new URL(admin);
    wrong.password = 'not-the-password';
    const auth = await rejection(openPostgres(wrong.toString()));
    expect(auth).toMatchObject({ code: 'store_auth_failed', message: expect.stringContaining('refused the user or password') });
    expect(auth.message).not.toContain('not-the-password');
    expect(auth.exitCode).toBe(ExitCode.config);
    const missing = new URL(admin);
    missing.pathname = '/no_such_mailmon_db';
    const database = await rejection(openPostgres(missing.toString()));
    expect(database).toMatchObject({ code: 'store_database_missing', hint: expect.stringContaining('createdb no_such_mailmon_db') });
  });

  it('a connection the server terminates mid-query is store_connection_lost, and the pool carries on', async () => {
    const { url } = await freshDatabase();
    const store = await open(url, { poolSize: 2 });
    const sleeping = rejection(store.pool.query(`select pg_sleep(30) as slept`));
    const killer = new pg.Client({ connectionString: url });
    await killer.connect();
    try {
      await expect.poll(async () => (await killer.query(`select pg_terminate_backend(pid) as done from pg_stat_activity where query like 'select pg_sleep(30)%' and pid <> pg_backend_pid()`)).rowCount, { timeout: 5000 }).toBe(1);
    } finally {
      await killer.end();
    }
    const lost = translatePostgresError(await sleeping, store.display) as MailmonError;
    expect(lost).toMatchObject({ code: 'store_connection_lost', message: expect.stringContaining('was lost') });
    expect((await store.pool.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });

  it('a connection terminated mid-transaction, between two statements, fails that transaction (store_connection_lost) without an uncaught error; nothing of it is committed', async () => {
    const { url } = await freshDatabase();
    const store = await open(url, { poolSize: 1 });
    const failed = await rejection(inTransaction(store, async (client) => {
      await client.query(`insert into mailboxes (id, email_address, created_at, updated_at) values ('mbx_cut', 'cut@example.com', 1, 1)`);
      const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
      // The connection is idle in transaction now: its loss is reported as an 'error' event, not a query's rejection.
      const ended = new Promise((resolve) => client.once('end', resolve));
      await terminate(url, pid);
      await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      await client.query('select 1');
    }));
    expect(failed).toMatchObject({ code: 'store_connection_lost' });
    expect((await store.pool.query(`select count(*)::int as n from mailboxes where id = 'mbx_cut'`)).rows).toEqual([{ n: 0 }]);
  });

  it('an idle pooled connection the server terminates is dropped quietly; the next query gets a new one', async () => {
    const { url } = await freshDatabase();
    const store = await open(url, { poolSize: 1 });
    const first = (await store.pool.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
    const killer = new pg.Client({ connectionString: url });
    await killer.connect();
    try {
      await killer.query('select pg_terminate_backend($1)', [first]);
    } finally {
      await killer.end();
    }
    await expect.poll(() => store.pool.totalCount, { timeout: 5000 }).toBe(0);
    const second = (await store.pool.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
    expect(second).not.toBe(first);
  });

  it('the ports of a store whose server is gone say store_unreachable, by the URL without its password', async () => {
    const url = `postgres://mailmon:secret@127.0.0.1:${await freePort()}/gone`;
    const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 2_000 });
    pool.on('error', () => undefined);
    try {
      const storage = postgresStorage({ pool, display: 'postgres://mailmon:****@127.0.0.1/gone' });
      const attempts = [() => storage.daemons.live(Date.now(), 1_000), () => storage.daemons.heartbeat({ holderId: 'h:1:ab', host: 'h', pid: 1, startedAt: 1, heartbeatAt: 1 }), () => storage.mailboxes.list()];
      for (const attempt of attempts) {
        expect(await rejection(attempt())).toMatchObject({ code: 'store_unreachable', message: expect.stringContaining('postgres://mailmon:****@127.0.0.1/gone') });
      }
    } finally {
      await pool.end();
    }
  });

  it('a server that drops every new connection (a proxy with nothing behind it) is store_unreachable, not a lost connection', async () => {
    const dropper = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
    try {
      const url = `postgres://mailmon:secret@127.0.0.1:${(dropper.address() as net.AddressInfo).port}/mailmon`;
      const error = await rejection(openPostgres(url, { connectTimeoutMs: 5_000 }));
      expect(error).toMatchObject({ code: 'store_unreachable', message: expect.stringContaining('closed the connection before the session started'), hint: expect.stringContaining('Check that PostgreSQL runs there') });
      expect(error.message).not.toContain('secret');
    } finally {
      await new Promise((resolve) => dropper.close(resolve));
    }
  });

  it('refuses a URL that is not postgres:// before connecting', async () => {
    await expect(openPostgres('mysql://u:p@127.0.0.1/db')).rejects.toMatchObject({ code: 'config_bad_value' });
  });
});
