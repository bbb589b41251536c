/**
 * The ChangeNotifier port on PostgreSQL (src/app/ports/change-notifier.ts), across processes and
 * machines:
 * - every statement that inserts into `events` NOTIFYs channel `mailmon_events` from a trigger
 *   (migration 0002), so every commit that appends events notifies in its own transaction, and
 *   PostgreSQL delivers the notification at commit, never for a rollback;
 * - a commit made in this process wakes its waiters at once (pg-commit-signal.ts); one
 *   dedicated listening connection per notifier (one per process: one store) turns each
 *   notification, from any process, into a wake-up of every waiter within a round trip;
 * - the `pg` client does not reconnect a LISTEN by itself: its own loop reconnects with backoff,
 *   and every (re)connection wakes every waiter, because notifications sent while it was down
 *   are lost (a wake-up may be spurious, a commit is never missed);
 * - a slow poll of the log head is a safety net for a notification lost anyway.
 * The listening connection starts at the first `mark` or wait, never keeps the process alive on
 * its own, and stops for good at `close()` or once the store's pool is ending.
 */
import type net from 'node:net';
import pg from 'pg';
import type { ChangeMark, ChangeNotifier } from '../../app/ports/change-notifier.js';
import { onEventsCommitted } from './pg-commit-signal.js';
import type { PgHandle } from './pg-transaction.js';

/** The channel the `events` trigger notifies (migration 0002). */
export const EVENTS_CHANNEL = 'mailmon_events';

export interface PostgresChangeNotifier extends ChangeNotifier {
  /** Stops listening and polling; waiters still waiting are woken. */
  close(): Promise<void>;
}

export interface ChangeNotifierOptions {
  /** The safety poll of the log head (default 5 s). */
  pollMs?: number;
  /** Reconnect backoff of the listening connection (default 100 ms doubling up to 5 s). */
  reconnectMs?: { min: number; max: number };
  /** How long `mark()` waits for a listening connection that is being set up (default 2 s). */
  readyWaitMs?: number;
}

interface Waiter {
  since: number;
  done: () => void;
}

export function postgresChangeNotifier(store: PgHandle, options: ChangeNotifierOptions = {}): PostgresChangeNotifier {
  const waiters = new Set<Waiter>();
  let generation = 0;
  // Every waiter marked before this generation may have missed something: wake it.
  const bump = () => {
    generation += 1;
    for (const waiter of [...waiters]) if (waiter.since !== generation) waiter.done();
  };
  const listener = new EventsListener(store, bump, options);
  let unsubscribe: (() => void) | undefined;
  let closed = false;
  const start = () => {
    // This process's own commits need not wait for the server's round trip.
    if (!unsubscribe && !closed) unsubscribe = onEventsCommitted(store, bump);
    listener.start();
  };
  return {
    async mark() {
      start();
      await listener.ready(options.readyWaitMs ?? 2_000);
      return { changeMark: generation };
    },
    waitForChange(mark: ChangeMark, timeoutMs: number, abort?: AbortSignal) {
      start();
      return new Promise<void>((resolve) => {
        const waiter: Waiter = {
          since: mark.changeMark as number,
          done: () => {
            clearTimeout(timeout);
            abort?.removeEventListener('abort', waiter.done);
            waiters.delete(waiter);
            resolve();
          },
        };
        const timeout = setTimeout(waiter.done, timeoutMs);
        abort?.addEventListener('abort', waiter.done, { once: true });
        waiters.add(waiter);
        if (abort?.aborted || waiter.since !== generation) waiter.done();
      });
    },
    async close() {
      closed = true;
      unsubscribe?.();
      unsubscribe = undefined;
      await listener.stop();
      for (const waiter of [...waiters]) waiter.done();
    },
  };
}

/** The listening connection, its reconnect loop and the safety poll; `onChange` may be spurious. */
class EventsListener {
  private running = false;
  private stopped = false;
  private client: pg.Client | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private lastHead: number | undefined;
  private listening!: Promise<void>;
  private markListening!: () => void;

  constructor(private readonly store: PgHandle, private readonly onChange: () => void, private readonly options: ChangeNotifierOptions) {
    this.resetListening();
  }

  start(): void {
    if (this.running || this.over()) return;
    this.running = true;
    this.pollTimer = setInterval(() => void this.poll(), this.options.pollMs ?? 5_000);
    this.pollTimer.unref();
    void this.poll();
    void this.loop();
  }

  /** Resolves once listening, or after `waitMs` (then the next connection's wake-up covers the gap). */
  async ready(waitMs: number): Promise<void> {
    this.start();
    if (this.over()) return;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
      timer.unref();
    });
    await Promise.race([this.listening, gaveUp]);
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    await this.client?.end().catch(() => undefined);
  }

  private over(): boolean {
    return this.stopped || this.store.pool.ending;
  }

  private resetListening(): void {
    this.listening = new Promise((resolve) => {
      this.markListening = resolve;
    });
  }

  private async loop(): Promise<void> {
    const { min, max } = this.options.reconnectMs ?? { min: 100, max: 5_000 };
    let backoff = min;
    while (!this.over()) {
      const closed = await this.listenOnce().catch(() => undefined);
      if (closed) {
        backoff = min;
        await closed;
      }
      if (this.over()) break;
      await sleepUnref(backoff);
      backoff = Math.min(backoff * 2, max);
    }
    clearInterval(this.pollTimer);
  }

  /** Connects and LISTENs; resolves with a promise that settles when that connection is gone. */
  private async listenOnce(): Promise<Promise<void>> {
    const poolOptions = this.store.pool.options as pg.ClientConfig;
    const client = new pg.Client({ ...poolOptions, application_name: `${poolOptions.application_name ?? 'mailmon'} listener` });
    let gone!: () => void;
    const closed = new Promise<void>((resolve) => {
      gone = resolve;
    });
    client.on('error', () => gone());
    client.on('end', () => gone());
    client.on('notification', () => this.onChange());
    try {
      await client.connect();
      // Only the waiters' timers keep a process alive, never this connection.
      (client.connection.stream as Partial<net.Socket>).unref?.();
      await client.query(`listen ${EVENTS_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    if (this.over()) await client.end().catch(() => undefined);
    // Whatever committed while no connection listened was not heard: everyone looks again.
    this.onChange();
    this.markListening();
    return closed.then(() => {
      this.client = undefined;
      this.resetListening();
      void client.end().catch(() => undefined);
    });
  }

  private async poll(): Promise<void> {
    if (this.over()) {
      // The store was closed: nothing will ever be read through it again.
      await this.stop();
      return;
    }
    try {
      const result = await this.store.pool.query<{ head: string }>('select coalesce(max(sequence), 0) as head from events');
      const head = Number(result.rows[0].head);
      if (this.lastHead !== undefined && head !== this.lastHead) this.onChange();
      this.lastHead = head;
    } catch {
      // Unreachable for now: the reconnect loop and the next poll deal with it.
    }
  }
}

function sleepUnref(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
