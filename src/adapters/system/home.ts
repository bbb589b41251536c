/**
 * Where mailmon keeps its state. `MAILMON_HOME` wins; otherwise the platform's data dir (XDG
 * on Linux) through env-paths. Directories are created 0700 and files written 0600, and a
 * home that is a regular file or not writable is a clear error, not a stack trace.
 */
import fs from 'node:fs';
import path from 'node:path';
import envPaths from 'env-paths';
import { MailmonError } from '../../core/errors.js';

export interface HomeLayout {
  root: string;
  store: string;
  leases: string;
  logs: string;
  run: string;
  keyFile: string;
  configFile: string;
  /** Set when the home exists but cannot be written (only with `access: 'read'`): why. */
  readOnly?: MailmonError;
}

export function resolveHomeDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.MAILMON_HOME;
  if (fromEnv && fromEnv.trim() !== '') return path.resolve(fromEnv);
  return envPaths('mailmon', { suffix: '' }).data;
}

/** The config file lives in the home when MAILMON_HOME is set (so a temp home is self-contained). */
export function resolveConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MAILMON_HOME && env.MAILMON_HOME.trim() !== '') return path.join(path.resolve(env.MAILMON_HOME), 'config.json');
  return path.join(envPaths('mailmon', { suffix: '' }).config, 'config.json');
}

export function layoutFor(root: string, env: NodeJS.ProcessEnv = process.env): HomeLayout {
  return {
    root,
    store: path.join(root, 'mailmon.db'),
    leases: path.join(root, 'leases'),
    logs: path.join(root, 'logs'),
    run: path.join(root, 'run'),
    keyFile: path.join(root, 'keys', 'credentials.key'),
    configFile: resolveConfigFile(env),
  };
}

/**
 * Creates (or checks) the home and its sub-directories with private permissions. With
 * `access: 'read'` a home that exists but cannot be written is accepted as it is (nothing is
 * created in it) and `readOnly` says why, so read-only commands can still open the store.
 */
export function ensureHome(env: NodeJS.ProcessEnv = process.env, options: { access?: 'read' | 'write' } = {}): HomeLayout {
  const root = resolveHomeDir(env);
  const layout = layoutFor(root, env);
  if (options.access === 'read') {
    const readOnly = existingHomeNotWritable(root);
    if (readOnly) return { ...layout, readOnly };
  }
  ensurePrivateDir(root, 'MAILMON_HOME');
  for (const dir of [layout.leases, layout.logs, layout.run]) ensurePrivateDir(dir, 'MAILMON_HOME');
  return layout;
}

/** The reason an existing home directory cannot be written, or undefined (absent or writable). */
function existingHomeNotWritable(root: string): MailmonError | undefined {
  try {
    if (!fs.statSync(root).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  try {
    fs.accessSync(root, fs.constants.W_OK | fs.constants.X_OK);
    return undefined;
  } catch (error) {
    return notWritable(root, 'MAILMON_HOME', (error as NodeJS.ErrnoException).code);
  }
}

/**
 * Makes `dir` (0700) unless it is already a directory, then checks it is writable. The path is
 * walked up to its deepest existing ancestor and each missing component is created once, so
 * every failure names its reason at once (Node's recursive mkdir retries forever where mkdir
 * answers ENOENT, e.g. under /proc).
 */
export function ensurePrivateDir(dir: string, what: string): void {
  const existing = inspect(dir, dir, what);
  if (existing === 'missing') createMissing(dir, what);
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (error) {
    throw notWritable(dir, what, (error as NodeJS.ErrnoException).code);
  }
}

/** 'directory' or 'missing'; throws a clear error for anything else in the way. */
function inspect(target: string, dir: string, what: string): 'directory' | 'missing' {
  let link: fs.Stats;
  try {
    link = fs.lstatSync(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    throw cannotCreate(dir, target, what, error);
  }
  if (link.isSymbolicLink()) {
    let resolved: fs.Stats;
    try {
      resolved = fs.statSync(target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw danglingLink(dir, target, what);
      throw cannotCreate(dir, target, what, error);
    }
    if (resolved.isDirectory()) return 'directory';
  } else if (link.isDirectory()) {
    return 'directory';
  }
  throw target === dir ? notADirectory(dir, what) : parentNotADirectory(dir, target, what);
}

function createMissing(dir: string, what: string): void {
  const missing: string[] = [];
  for (let current = dir; ; current = path.dirname(current)) {
    if (current !== dir && inspect(current, dir, what) === 'directory') break;
    missing.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const component of missing) {
    try {
      fs.mkdirSync(component, { mode: 0o700 });
    } catch (error) {
      // Another process opening the same fresh home made it first.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && inspect(component, dir, what) === 'directory') continue;
      throw cannotCreate(dir, component, what, error);
    }
  }
}

const REASONS: Record<string, string> = {
  ENOENT: 'the file system does not allow creating directories there',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many levels of symbolic links',
};

function cannotCreate(dir: string, component: string, what: string, error: unknown): MailmonError {
  const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
  const reason = REASONS[code] ?? (error as Error).message;
  const where = component === dir ? '' : ` (at ${component})`;
  return new MailmonError('home_not_writable', `Cannot create the ${what} directory ${dir}${where}: ${reason} (${code}).`, {
    hint: code === 'EACCES' || code === 'EPERM'
      ? `Create it yourself (mkdir -p ${dir}) or set MAILMON_HOME to a directory you own.`
      : 'Set MAILMON_HOME to a directory on a writable file system, or leave it unset to use the default.',
    cause: error,
  });
}

function danglingLink(dir: string, link: string, what: string): MailmonError {
  let target = '?';
  try {
    target = fs.readlinkSync(link);
  } catch {
    // Keep '?': the link vanished meanwhile.
  }
  const subject = link === dir ? `${what} path ${dir}` : `${link} (on the way to ${what} ${dir})`;
  return new MailmonError('home_not_directory', `${subject} is a symbolic link to ${target}, which does not exist.`, {
    hint: `Create the target (mkdir -p ${path.resolve(path.dirname(link), target)}), or point MAILMON_HOME at an existing directory.`,
  });
}

function notADirectory(dir: string, what: string): MailmonError {
  return new MailmonError('home_not_directory', `${what} path ${dir} exists but is not a directory.`, {
    hint: 'Point MAILMON_HOME at a directory (or an absent path mailmon can create), or move that file away.',
  });
}

function parentNotADirectory(dir: string, parent: string, what: string): MailmonError {
  return new MailmonError('home_not_directory', `Cannot create the ${what} directory ${dir}: ${parent} is a file, not a directory.`, {
    hint: `Point MAILMON_HOME at a path under a directory, or move ${parent} away.`,
  });
}

/** Exported for its wording: a read-only file system must not be answered with chmod. */
export function notWritable(dir: string, what: string, errno?: string): MailmonError {
  if (errno === 'EROFS') {
    return new MailmonError('home_not_writable', `${what} directory ${dir} is on a read-only file system.`, {
      hint: 'Commands that only read (mailboxes, events list, status…) still work; to sync, set MAILMON_HOME to a directory on a writable file system.',
    });
  }
  return new MailmonError('home_not_writable', `${what} directory ${dir} is not writable.`, {
    hint: `Fix its permissions (chmod 700 ${dir}) or set MAILMON_HOME to a directory you own.`,
  });
}

/** Writes a file atomically (temp + rename) with mode 0600. */
export function writePrivateFile(file: string, contents: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(temp, contents, { mode: 0o600 });
  fs.renameSync(temp, file);
}

/** Every path under `root` that group or others may access (a directory must be 0700, a file 0600), as `relative (mode)`. */
export function looseModes(root: string): string[] {
  const loose: string[] = [];
  const walk = (target: string) => {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(target);
    } catch {
      return;
    }
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0) loose.push(`${path.relative(root, target) || '.'} (${(stat.mode & 0o777).toString(8)})`);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(target)) walk(path.join(target, entry));
  };
  walk(root);
  return loose;
}
