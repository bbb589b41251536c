/**
 * Just enough of a PostgreSQL store to test the endpoints and the delivery queue on it: the
 * real PostgreSQL Endpoints and DeliveryQueue ports, plus mailboxes and events written straight
 * into their tables (`insert`, `setStatus` and `head` only; the real Mailboxes and EventLog on
 * PostgreSQL are tested by their own suites). Any other storage method throws.
 */
import type { StoreFactory } from '../contract/stores.js';
import type { Storage } from '../../src/app/ports/storage.js';
import type { Mailboxes, MailboxStatus } from '../../src/app/ports/mailboxes.js';
import type { EventLog } from '../../src/app/ports/event-log.js';
import { openPostgres, type PostgresStore } from '../../src/adapters/postgres/database.js';
import { inTransaction, query, rows, type Queryable } from '../../src/adapters/postgres/pg-queries.js';
import { postgresEndpoints } from '../../src/adapters/postgres/pg-endpoints.js';
import { postgresDeliveryQueue } from '../../src/adapters/postgres/pg-delivery-queue.js';
import { createTestDatabase } from './postgres.js';

export interface TestEvent { id: string; type: string; mailboxId: string; orderingKey: string; occurredAt: number; body: string }

/** Appends events with the next sequences, in one transaction; the table lock keeps sequence order = commit order. */
export async function appendTestEvents(client: Queryable, events: readonly TestEvent[]): Promise<void> {
  await query(client, 'lock table events in exclusive mode');
  await query(client, `insert into events (sequence, id, type, mailbox_id, ordering_key, occurred_at, body)
    select (select coalesce(max(sequence), 0) from events) + e.n, e.id, e.type, e.mailbox_id, e.ordering_key, e.occurred_at, e.body
    from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[]) with ordinality as e(id, type, mailbox_id, ordering_key, occurred_at, body, n)`, [
    events.map((e) => e.id), events.map((e) => e.type), events.map((e) => e.mailboxId), events.map((e) => e.orderingKey), events.map((e) => e.occurredAt), events.map((e) => e.body),
  ]);
}

function unimplemented<T extends object>(port: string): T {
  return new Proxy({} as T, {
    get: (_target, method) => () => Promise.reject(new Error(`${port}.${String(method)} is not part of the delivery test store`)),
  });
}

function testMailboxes(store: PostgresStore): Mailboxes {
  const rest = unimplemented<Mailboxes>('mailboxes');
  return Object.assign(Object.create(rest) as Mailboxes, {
    async insert(row: Parameters<Mailboxes['insert']>[0], now: number) {
      await query(store.pool, 'insert into mailboxes (id, email_address, name, gmail_api_url, oauth_url, scope, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $7)', [
        row.id, row.emailAddress, row.name, row.gmailApiUrl, row.oauthUrl, row.scope, now,
      ]);
    },
    setStatus: (id: string, status: MailboxStatus, reason: string | null, deps: { now: number; newEventId: () => string }) =>
      inTransaction(store.pool, async (client) => {
        const [mailbox] = await rows<{ status: string }>(client, 'select status from mailboxes where id = $1 for update', [id]);
        if (mailbox.status === status) return false;
        await query(client, 'update mailboxes set status = $1, status_reason = $2, updated_at = $3 where id = $4', [status, reason, deps.now, id]);
        const eventId = deps.newEventId();
        const body = JSON.stringify({ id: eventId, type: 'mailbox.status_changed', mailbox: { id }, data: { previousStatus: mailbox.status, status, reason } });
        await appendTestEvents(client, [{ id: eventId, type: 'mailbox.status_changed', mailboxId: id, orderingKey: id, occurredAt: deps.now, body }]);
        return true;
      }),
  });
}

function testEvents(store: PostgresStore): EventLog {
  return Object.assign(Object.create(unimplemented<EventLog>('events')) as EventLog, {
    head: async () => (await rows<{ head: number }>(store.pool, 'select coalesce(max(sequence), 0) as head from events'))[0].head,
  });
}

/** Every other Storage port (whatever Storage holds) rejects each call. */
export function pgDeliveryStorage(store: PostgresStore): Storage {
  const ports: Pick<Storage, 'mailboxes' | 'events' | 'endpoints' | 'deliveries'> = {
    mailboxes: testMailboxes(store),
    events: testEvents(store),
    endpoints: postgresEndpoints(store),
    deliveries: postgresDeliveryQueue(store),
  };
  return new Proxy(ports as Storage, {
    get: (target, port: string) => (port in target ? target[port as keyof Storage] : unimplemented(port)),
  });
}

/** A fresh database per store; `connect()` opens another pool on it, as another daemon would. */
export const pgDeliveryFactory: StoreFactory = {
  name: 'postgres',
  async create() {
    const database = await createTestDatabase();
    const opened: PostgresStore[] = [await openPostgres(database.url, { poolSize: 4 })];
    return {
      storage: pgDeliveryStorage(opened[0]),
      async connect() {
        const store = await openPostgres(database.url, { poolSize: 4 });
        opened.push(store);
        return pgDeliveryStorage(store);
      },
      async close() {
        for (const store of opened) await store.close();
        await database.drop();
      },
    };
  },
};
