/**
 * Small output helpers: the one colour policy (NO_COLOR, FORCE_COLOR, TTY), times, writing
 * lines. Results → stdout, chatter → stderr. Aligned tables are in table.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { styleText } from 'node:util';
import { MailmonError } from '../core/errors.js';

type Style = 'red' | 'green' | 'yellow' | 'cyan' | 'dim' | 'bold' | 'magenta' | 'blue' | 'gray';

export function paint(style: Style, text: string, enabled: boolean): string {
  return enabled ? styleText(style, text) : text;
}

/**
 * The one colour policy: NO_COLOR (any non-empty value) wins, then FORCE_COLOR (anything but
 * 0/false forces colour), then colour only on a TTY. https://no-color.org, https://force-color.org
 */
export function colorEnabled(stream: Pick<NodeJS.WriteStream, 'isTTY'> = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return Boolean(stream.isTTY);
}

/**
 * Hands the policy to the libraries that decide colour on their own (ink's chalk and oclif's
 * ansis read FORCE_COLOR, but chalk ignores NO_COLOR): pins FORCE_COLOR to the decision for
 * stdout. Called once per process before anything draws.
 */
export function applyColorPolicy(env: NodeJS.ProcessEnv = process.env, stream: Pick<NodeJS.WriteStream, 'isTTY'> = process.stdout): void {
  if (!colorEnabled(stream, env)) env.FORCE_COLOR = '0';
}

/** `1 failure`, `2 failures`; `plural` for irregular words. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

export function isoOrDash(epochMs: number | null | undefined): string {
  return epochMs ? new Date(epochMs).toISOString() : '-';
}

export function ago(epochMs: number | null | undefined, now = Date.now()): string {
  if (!epochMs) return 'never';
  const seconds = Math.max(0, Math.round((now - epochMs) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86_400)}d ago`;
}

/** Writes lines to a stream honouring backpressure (safe for huge outputs piped to a slow reader). */
export async function writeLines(stream: NodeJS.WritableStream, lines: Iterable<string> | AsyncIterable<string>): Promise<number> {
  let count = 0;
  for await (const line of lines) {
    if (!stream.write(`${line}\n`)) await new Promise((resolve) => stream.once('drain', resolve));
    count += 1;
  }
  return count;
}

/**
 * Opens a file a flag names for writing (private: 0600), with a usage error naming the flag when
 * it cannot be: a folder, a missing folder, no permission — never an "Unexpected error".
 */
export function openForWriting(file: string, flagName: string): number {
  try {
    return fs.openSync(file, 'w', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reasons: Record<string, string> = {
      EISDIR: 'is a folder; give a file name',
      ENOENT: `is in a folder that does not exist (${path.dirname(file)})`,
      ENOTDIR: 'goes through something that is not a folder',
      EACCES: 'cannot be written: permission denied',
      EPERM: 'cannot be written: permission denied',
      EROFS: 'is on a read-only file system',
      ENAMETOOLONG: 'is too long for a path',
    };
    if (code && reasons[code]) throw new MailmonError('usage', `${flagName} ${JSON.stringify(file.length > 60 ? `${file.slice(0, 60)}…` : file)} ${reasons[code]}.`, { hint: `Give ${flagName} a file you can write to.`, cause: error });
    throw error;
  }
}
