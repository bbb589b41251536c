/** Flags shared by several commands, so they read and validate the same everywhere. */
import { Flags } from '@oclif/core';
import { parseDuration, parseTime } from '../core/durations.js';

export const mailboxFlag = Flags.string({ char: 'm', description: 'Mailbox id or email address (default: the only mailbox).', helpValue: 'MAILBOX' });
export const limitFlag = (defaultValue: number) => Flags.integer({ char: 'n', description: 'How many to show at most.', default: defaultValue, min: 1 });
export const eventTypesFlag = Flags.string({ description: 'Only these event types, comma-separated; wildcards like message.* work.', helpValue: 'TYPES', aliases: ['type'] });
export const sinceFlag = Flags.string({ description: 'Only from this time: ISO timestamp, date, or a duration ago like 2h.', helpValue: 'TIME', exclusive: ['last'] });
export const untilFlag = Flags.string({ description: 'Only before this time (same forms as --since).', helpValue: 'TIME' });
export const lastFlag = Flags.string({ description: 'Only the last period, e.g. 1h, 30m, 2d.', helpValue: 'DURATION', exclusive: ['since'] });

/** Turns --since/--last/--until into epoch-ms bounds. */
export function timeWindow(flags: { since?: string; last?: string; until?: string }, now: number): { since?: number; until?: number } {
  return {
    since: flags.last !== undefined ? now - parseDuration(flags.last, '--last') : flags.since !== undefined ? parseTime(flags.since, now, '--since') : undefined,
    until: flags.until !== undefined ? parseTime(flags.until, now, '--until') : undefined,
  };
}

/** `listen` and `replay`: accept a self-signed certificate (like `stripe listen --skip-verify`). */
export const skipVerifyFlag = Flags.boolean({ description: 'Do not verify the TLS certificate of an https:// target (for a local app with a self-signed certificate). UNSAFE: anyone in the path can read and change the deliveries.' });

export const SKIP_VERIFY_WARNING = 'Warning: --skip-verify: TLS certificates are not verified; use it only for your own local app.\n';
