/**
 * The one place errors become output. A user sees one line saying what went wrong and one
 * saying what to do next; scripts get `{"error":{"code","message","hint"}}` under --json;
 * a stack trace appears only with --verbose or DEBUG=mailmon*. SQLite's errors (locked, full,
 * corrupt, read-only), from whichever statement threw them, are translated here first.
 */
import { isMailmonError, ExitCode, MailmonError } from '../core/errors.js';
import { paint } from './output.js';
import { translateSqliteError } from '../adapters/sqlite/sqlite-errors.js';

export interface RenderedError {
  code: string;
  message: string;
  hint?: string;
  exitCode: number;
  details?: Record<string, unknown>;
  stack?: string;
}

/** oclif's parse errors (unknown flag, missing arg…) carry `oclif.exit`; they are usage errors. */
function isOclifUsageError(error: unknown): error is Error & { oclif?: { exit?: number } } {
  const candidate = error as { oclif?: { exit?: number }; name?: string; constructor?: { name?: string } };
  const name = candidate?.constructor?.name ?? candidate?.name ?? '';
  return /Error$/.test(name) && typeof candidate?.oclif === 'object' && /Parse|Flag|Arg|Failed|Unexpected|Nonexistent|Required/.test(name);
}

function helpFor(commandId?: string): string {
  return commandId ? `mailmon ${commandId.replaceAll(':', ' ')} --help` : 'mailmon --help';
}

/**
 * What went wrong while parsing the command line, as a usage error naming the flag. oclif throws
 * plain CLIErrors ("Flag --x can only be specified once") and wraps what a flag's own parser
 * throws as "Parsing --x \n\t<reason>"; our flag builders throw MailmonErrors that keep their code.
 */
export function parseFailure(error: unknown, commandId?: string): unknown {
  const candidate = error as { message?: unknown; oclif?: unknown } | undefined;
  const fromMailmon = isMailmonError(error);
  if (!fromMailmon && typeof candidate?.oclif !== 'object') return error; // a bug in a parser: stays internal
  const message = parseFailureMessage(String(candidate?.message ?? error));
  const hint = (fromMailmon ? (error as MailmonError).hint : undefined) ?? `See "${helpFor(commandId)}" for usage and examples.`;
  return new MailmonError(fromMailmon ? (error as MailmonError).code : 'usage', message, { hint, cause: error });
}

export function parseFailureMessage(raw: string): string {
  // FailedFlagValidationError: "The following error occurred:\n  <reason>\nSee more help with --help".
  const message = raw.replace(/^The following errors? occurred:?\s*\n\s*/, '');
  const wrapped = /^Parsing --(\S+)\s*\n\t([\s\S]*?)(?:\nSee more help with --help)?$/.exec(message);
  if (wrapped) {
    const [, flag, reason] = wrapped;
    const first = firstMeaningfulLine(reason);
    return first.includes(`--${flag}`) ? first : `--${flag}: ${first}`;
  }
  const flagMessage = /^Flag --(\S+) (can only be specified once|expects a value|expects one of these values: (.*))/.exec(message);
  if (flagMessage) {
    const [, flag, what, options] = flagMessage;
    if (what.startsWith('can only')) return `--${flag} was given more than once: it takes one value.`;
    return options ? `--${flag} needs a value: one of ${options}.` : `--${flag} needs a value.`;
  }
  const missingArgs = /^Missing \d+ required args?:?\n([\s\S]*)$/.exec(message);
  if (missingArgs) {
    const names = missingArgs[1].split('\n').map((line) => line.trim()).filter((line) => line !== '' && !/^(Note:|Alternatively|See more help)/.test(line)).map((line) => line.split(/\s/)[0].toUpperCase());
    if (names.length > 0) return `Missing ${names.length === 1 ? 'the argument' : 'the arguments'} ${names.join(' and ')}.`;
  }
  const missingFlag = /^Missing required flag:?\s+-*(\S+)/.exec(message);
  if (missingFlag) return `Missing --${missingFlag[1]}: it is required.`;
  return firstMeaningfulLine(message);
}

/** `storeFile` names the store in SQLite's errors, which every path that runs SQL may throw. */
export function describeError(thrown: unknown, commandId?: string, storeFile?: string): RenderedError {
  const error = translateSqliteError(thrown, storeFile);
  if (isMailmonError(error)) {
    const mailmon = error as MailmonError;
    return { code: mailmon.code, message: mailmon.message, hint: mailmon.hint, exitCode: mailmon.exitCode, details: mailmon.details, stack: mailmon.stack };
  }
  const help = helpFor(commandId);
  if (isOclifUsageError(error)) {
    const firstLine = parseFailureMessage(error.message);
    return { code: 'usage', message: firstLine, hint: `See "${help}" for usage and examples.`, exitCode: ExitCode.usage, stack: error.stack };
  }
  const message = error instanceof Error ? error.message : String(error);
  const errno = error as { code?: unknown; path?: unknown };
  if (errno?.code === 'ENAMETOOLONG') {
    // A path from a flag, an argument or the environment that no file system can hold.
    const where = typeof errno.path === 'string' ? ` (${errno.path.length} characters)` : '';
    return { code: 'usage', message: `A path is too long for the file system${where}.`, hint: 'Use a shorter path: file names can have at most 255 bytes.', exitCode: ExitCode.usage, stack: error instanceof Error ? error.stack : undefined };
  }
  return {
    code: 'internal',
    message: `Unexpected error: ${firstMeaningfulLine(message)}`,
    hint: 'Re-run with --verbose for details; if it persists, please report it with that output.',
    exitCode: ExitCode.failure,
    stack: error instanceof Error ? error.stack : undefined,
  };
}

function firstMeaningfulLine(message: string): string {
  // oclif wraps some problems: "The following error occurred:\n  --a cannot also be provided when using --b\nSee more help with --help".
  const lines = message.split('\n').map((line) => line.trim()).filter(Boolean);
  return lines.find((line) => !/^See more help/.test(line) && !/^The following errors? occurred:?$/.test(line)) ?? message;
}

export function errorJson(rendered: RenderedError): { error: { code: string; message: string; hint?: string } & Record<string, unknown> } {
  return { error: { code: rendered.code, message: rendered.message, ...(rendered.hint ? { hint: rendered.hint } : {}), ...(rendered.details ?? {}) } };
}

export function errorText(rendered: RenderedError, options: { verbose: boolean; color: boolean }): string {
  const lines = [`${paint('red', 'Error:', options.color)} ${rendered.message}`];
  if (rendered.hint) lines.push(`${paint('dim', '→', options.color)} ${rendered.hint}`);
  if (options.verbose && rendered.stack) lines.push(paint('dim', rendered.stack, options.color));
  return `${lines.join('\n')}\n`;
}

export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.DEBUG && /(^|,)\s*mailmon/.test(env.DEBUG));
}
