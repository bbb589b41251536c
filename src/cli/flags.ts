/**
 * Flags shared by several commands, so they read and validate the same everywhere, and the
 * builders every command uses for numbers and paths: a bad value is a usage error (exit 2) that
 * names the flag, the value and what is expected — never oclif's "Parsing --x" internal error.
 */
import { Flags, type Interfaces } from '@oclif/core';
import { parseDuration, parseTime } from '../core/durations.js';
import { MailmonError } from '../core/errors.js';
import { parseEventTypeList } from '../core/events.js';
import { parseCustomHeaders, validateTargetUrl } from '../core/webhook-target.js';

/** A value as it appears in a message: quoted, one line, invisible characters escaped, long ones cut. */
export function quoteInput(value: string, maxLength = 60): string {
  const cut = value.length > maxLength ? `${value.slice(0, maxLength)}…` : value;
  // eslint-disable-next-line no-control-regex
  return JSON.stringify(cut).replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** An empty value (`--mailbox=`, `""`) is a mistake, never "no filter" or "the default". */
export function emptyValueError(name: string, expected = 'a value'): MailmonError {
  return new MailmonError('usage', `${name} is empty: give ${expected}, or leave it out.`);
}

/** Refuses every empty flag value and argument oclif parsed (`name` of an argument: its NAME). */
export function rejectEmptyValues(tokens: ReadonlyArray<{ type: 'arg'; arg: string; input: string } | { type: 'flag'; flag: string; input: string }>): void {
  for (const token of tokens) {
    if (typeof token.input !== 'string' || token.input.trim() !== '') continue;
    throw emptyValueError(token.type === 'flag' ? `--${token.flag}` : `The ${token.arg.toUpperCase()} argument`);
  }
}

export interface Bounds {
  min: number;
  max: number;
}

/** Parses a whole number within bounds; `name` is how the user wrote it (`--limit`). */
export function parseWholeNumber(input: string, name: string, bounds: Bounds): number {
  const expected = `a whole number from ${bounds.min} to ${bounds.max}`;
  if (input.trim() === '') throw emptyValueError(name, expected);
  const value = /^[+-]?\d+$/.test(input.trim()) ? Number(input.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
    throw new MailmonError('usage', `${name} must be ${expected}, not ${quoteInput(input)}.`);
  }
  return value;
}

interface IntegerFlagOptions extends Bounds {
  description: string;
  char?: Interfaces.AlphabetLowercase;
  helpValue?: string;
}

/**
 * An integer flag with sane bounds (required: a number past them is a usage error, never a
 * value that overflows a timer or SQLite). Use this, not oclif's Flags.integer (lint enforces it).
 */
export function integerFlag(options: IntegerFlagOptions & { default: number }): Interfaces.OptionFlag<number>;
export function integerFlag(options: IntegerFlagOptions): Interfaces.OptionFlag<number | undefined>;
export function integerFlag(options: IntegerFlagOptions & { default?: number }): Interfaces.OptionFlag<number | undefined> {
  const { min, max, ...rest } = options;
  return Flags.custom<number>({ parse: async (input, _context, flag) => parseWholeNumber(input, `--${flag.name}`, { min, max }) })(rest as never) as Interfaces.OptionFlag<number | undefined>;
}

/** Longest file name and path mailmon accepts (Linux NAME_MAX and PATH_MAX, in bytes). */
const MAX_NAME_BYTES = 255;
const MAX_PATH_BYTES = 4095;

/** Rejects a path no file system can hold, before anything tries to open it (ENAMETOOLONG). */
export function checkPathLength(input: string, name: string): string {
  const tooLong = Buffer.byteLength(input) > MAX_PATH_BYTES || input.split(/[\\/]/).some((part) => Buffer.byteLength(part) > MAX_NAME_BYTES);
  if (tooLong) {
    throw new MailmonError('usage', `${name} is too long for a path (${input.length} characters): file names can have at most ${MAX_NAME_BYTES} bytes, paths ${MAX_PATH_BYTES}.`);
  }
  return input;
}

/**
 * A text flag whose value is checked while the command line is parsed, so garbage is a usage
 * error naming the flag before the command does anything; the command still receives the text.
 */
function checkedString(check: (input: string, name: string) => unknown) {
  return Flags.custom<string>({
    parse: async (input, _context, flag) => {
      const name = `--${flag.name}`;
      if (input.trim() === '') throw emptyValueError(name);
      check(input, name);
      return input;
    },
  });
}

/** A flag naming a file or folder. */
export const pathFlag = checkedString(checkPathLength);
/** A duration like 30s, 5m, 2h. */
export const durationFlag = checkedString((input, name) => parseDuration(input, name));
/** A time: ISO timestamp, date, or a duration ago. */
export const timeFlag = checkedString((input, name) => parseTime(input, Date.now(), name));
/** Where webhooks go: an http(s) URL. */
export const webhookUrlFlag = checkedString((input) => validateTargetUrl(input));
/** Extra request headers "K:V,K2:V2". */
export const headersFlag = checkedString((input) => parseCustomHeaders(input));
/** A list of event types (wildcards like message.*). */
export const eventTypeListFlag = checkedString((input) => parseEventTypeList(input));
/** The URL of a server mailmon talks to (a fixture server): http or https. */
export const serverUrlFlag = checkedString((input, name) => {
  let url: URL | undefined;
  try {
    url = new URL(input.trim());
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new MailmonError('bad_url', `${name} must be an http:// or https:// URL, not ${quoteInput(input)}.`, { hint: 'Use the URL "mailmon fixtures serve" prints, like http://127.0.0.1:4010/.' });
  }
});
/** Checks a value with a parser of the command's own (the command still receives the text). */
export const checkedFlag = checkedString;

export const mailboxFlag = Flags.string({ char: 'm', description: 'Mailbox id or email address (default: the only mailbox).', helpValue: 'MAILBOX' });
/** Ceiling for --limit: far beyond any screen, well inside SQLite's integers. */
export const MAX_LIMIT = 1_000_000;
export const limitFlag = (defaultValue: number) => integerFlag({ char: 'n', description: 'How many to show at most.', default: defaultValue, min: 1, max: MAX_LIMIT });
/** Seconds that become a timer: setTimeout holds at most 2^31-1 ms (24.8 days). */
export const MAX_TIMER_SECONDS = 2_147_483;
/** Milliseconds of added latency (fixture server): up to a minute. */
export const MAX_LATENCY_MS = 60_000;
/** Concurrent deliveries: beyond this a single receiver is being flooded, not served. */
export const MAX_IN_FLIGHT = 1000;
/** How often a fixture fault repeats. */
export const MAX_FAULT_REPEATS = 1000;
/** The largest generated fixture mailbox. */
export const MAX_FIXTURE_MESSAGES = 300_000;
/** Unix seconds up to 9999-12-31. */
export const MAX_UNIX_SECONDS = 253_402_300_799;
/** Seeds are 32-bit. */
export const MAX_SEED = 0xffff_ffff;
export const eventTypesFlag = eventTypeListFlag({ description: 'Only these event types, comma-separated; wildcards like message.* work.', helpValue: 'TYPES', aliases: ['type'] });
export const sinceFlag = timeFlag({ description: 'Only from this time: ISO timestamp, date, or a duration ago like 2h.', helpValue: 'TIME', exclusive: ['last'] });
export const untilFlag = timeFlag({ description: 'Only before this time (same forms as --since).', helpValue: 'TIME' });
export const lastFlag = durationFlag({ description: 'Only the last period, e.g. 1h, 30m, 2d.', helpValue: 'DURATION', exclusive: ['since'] });

/** Turns --since/--last/--until into epoch-ms bounds. */
export function timeWindow(flags: { since?: string; last?: string; until?: string }, now: number): { since?: number; until?: number } {
  return {
    since: flags.last !== undefined ? now - parseDuration(flags.last, '--last') : flags.since !== undefined ? parseTime(flags.since, now, '--since') : undefined,
    until: flags.until !== undefined ? parseTime(flags.until, now, '--until') : undefined,
  };
}

/** `--yes` of destructive commands: without it they ask on a terminal and refuse off one. */
export const yesFlag = Flags.boolean({ char: 'y', description: 'Do not ask for confirmation (required when stdin is not a terminal).' });

/** `listen` and `replay`: accept a self-signed certificate (like `stripe listen --skip-verify`). */
export const skipVerifyFlag = Flags.boolean({ description: 'Do not verify the TLS certificate of an https:// target (for a local app with a self-signed certificate). UNSAFE: anyone in the path can read and change the deliveries.' });

export const SKIP_VERIFY_WARNING = 'Warning: --skip-verify: TLS certificates are not verified; use it only for your own local app.\n';
