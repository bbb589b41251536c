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

/** Creates (or checks) the home and its sub-directories with private permissions. */
export function ensureHome(env: NodeJS.ProcessEnv = process.env): HomeLayout {
  const root = resolveHomeDir(env);
  const layout = layoutFor(root, env);
  ensurePrivateDir(root, 'MAILMON_HOME');
  for (const dir of [layout.leases, layout.logs, layout.run]) ensurePrivateDir(dir, 'MAILMON_HOME');
  return layout;
}

export function ensurePrivateDir(dir: string, what: string): void {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') throw notADirectory(dir, what);
  }
  if (stat && !stat.isDirectory()) throw notADirectory(dir, what);
  if (!stat) {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR' || code === 'EEXIST') throw notADirectory(dir, what);
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw notWritable(dir, what);
      throw error;
    }
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    throw notWritable(dir, what);
  }
}

function notADirectory(dir: string, what: string): MailmonError {
  return new MailmonError('home_not_directory', `${what} path ${dir} exists but is not a directory.`, {
    hint: 'Point MAILMON_HOME at a directory (or an absent path mailmon can create), or move that file away.',
  });
}

function notWritable(dir: string, what: string): MailmonError {
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
