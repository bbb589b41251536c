/**
 * The OS keychain through @napi-rs/keyring, pinned on Linux to the Secret
 * Service (the default would silently fall back to the kernel keyring, lost at logout).
 *
 * Guarantees: `probeKeychain()` answers within ~2 s whatever the bus does. That is why it
 * runs in a child process: the keyring's constructor connects to D-Bus synchronously, and
 * a bus that accepts the connection but never answers blocks the calling thread forever,
 * where no timer can fire. The answer is cached per process (per D-Bus address). Each later
 * operation is bounded by a timeout too, and its errors never carry the secret.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { AsyncEntry as AsyncEntryClass } from '@napi-rs/keyring';
import { MailmonError } from '../../core/errors.js';

export const KEYCHAIN_SERVICE = 'mailmon';
export const PROBE_ACCOUNT = '__probe__';
export const PROBE_TIMEOUT_MS = 2_000;
const OPERATION_TIMEOUT_MS = 10_000;

export interface KeychainProbe {
  available: boolean;
  /** Why not, in one line (never a secret). */
  reason?: string;
  elapsedMs: number;
}

/** A minimal port over the keychain: a string value per account under service "mailmon". */
export interface Keychain {
  set(account: string, value: string): Promise<void>;
  get(account: string): Promise<string | undefined>;
  delete(account: string): Promise<boolean>;
}

const resolveModule = createRequire(import.meta.url).resolve;
const probeCache = new Map<string, Promise<KeychainProbe>>();

export function entryOptions(): { linux: { store: 'secret-service' } } {
  return { linux: { store: 'secret-service' } };
}

/** Whether a set/get/delete round trip works right now (cached per process and D-Bus address). */
export function probeKeychain(options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<KeychainProbe> {
  const env = options.env ?? process.env;
  const cacheKey = `${env.DBUS_SESSION_BUS_ADDRESS ?? ''}|${options.timeoutMs ?? PROBE_TIMEOUT_MS}`;
  let probe = probeCache.get(cacheKey);
  if (!probe) {
    probe = runProbe(options.timeoutMs ?? PROBE_TIMEOUT_MS, env);
    probeCache.set(cacheKey, probe);
  }
  return probe;
}

// Runs inside the child: construct (throws at once without D-Bus), then a round trip.
const PROBE_SCRIPT = `
const { AsyncEntry } = require(process.argv[1]);
const say = (answer) => process.stdout.write(JSON.stringify(answer) + '\\n', () => process.exit(0));
(async () => {
  const value = 'probe-' + process.pid + '-' + Date.now();
  const entry = new AsyncEntry(${JSON.stringify(KEYCHAIN_SERVICE)}, ${JSON.stringify(PROBE_ACCOUNT)}, ${JSON.stringify(entryOptions())});
  await entry.setPassword(value);
  const read = await entry.getPassword();
  await entry.deleteCredential().catch(() => false);
  if (typeof read !== 'string') throw new Error('the keychain did not return what was just stored');
  say({ available: true });
})().catch((error) => say({ available: false, reason: String((error && error.message) || error).split('\\n')[0] }));
`;

function runProbe(timeoutMs: number, env: NodeJS.ProcessEnv): Promise<KeychainProbe> {
  const started = Date.now();
  const done = (available: boolean, reason?: string): KeychainProbe => ({ available, reason, elapsedMs: Date.now() - started });
  let modulePath: string;
  try {
    modulePath = resolveModule('@napi-rs/keyring');
  } catch {
    return Promise.resolve(done(false, '@napi-rs/keyring is not installed'));
  }
  return new Promise((resolve) => {
    let settled = false;
    let stdout = '';
    const finish = (probe: KeychainProbe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(probe);
    };
    const child = spawn(process.execPath, ['-e', PROBE_SCRIPT, modulePath], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(done(false, `the OS keychain did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', (error) => finish(done(false, error.message)));
    child.on('close', () => {
      try {
        const answer = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { available?: boolean; reason?: string };
        finish(done(answer.available === true, answer.available === true ? undefined : answer.reason ?? 'unknown'));
      } catch {
        finish(done(false, 'the keychain probe exited without an answer'));
      }
    });
  });
}

/** The keychain itself. Only use it after probeKeychain() said it is available. */
export function osKeychain(): Keychain {
  let loaded: Promise<typeof AsyncEntryClass> | undefined;
  const entry = async (account: string) => {
    // Loaded on first use: commands that never touch the keychain never load the native module.
    loaded ??= import('@napi-rs/keyring').then((module) => module.AsyncEntry);
    const AsyncEntry = await loaded;
    return new AsyncEntry(KEYCHAIN_SERVICE, account, entryOptions());
  };
  return {
    set: (account, value) => bounded(`store ${account} in`, async (signal) => (await entry(account)).setPassword(value, signal)),
    get: async (account) => (await bounded(`read ${account} from`, async (signal) => (await entry(account)).getPassword(signal))) ?? undefined,
    delete: (account) => bounded(`delete ${account} from`, async (signal) => (await entry(account)).deleteCredential(signal)),
  };
}

async function bounded<T>(what: string, operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`no answer within ${OPERATION_TIMEOUT_MS / 1000} s`));
    }, OPERATION_TIMEOUT_MS);
  });
  try {
    return await Promise.race([operation(controller.signal), timeout]);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new MailmonError('keychain_unavailable', `Could not ${what} the OS keychain: ${reason}.`, {
      hint: 'Unlock your keychain and try again, or use the encrypted file store: MAILMON_SECRET_STORE=file.',
    });
  } finally {
    clearTimeout(timer);
  }
}
