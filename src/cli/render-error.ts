/**
 * The one place errors become output. A user sees one line saying what went wrong and one
 * saying what to do next; scripts get `{"error":{"code","message","hint"}}` under --json;
 * a stack trace appears only with --verbose or DEBUG=mailmon*. SQLite's errors (locked, full,
 * corrupt, read-only), from whichever statement threw them, are translated here first.
 */
import { isMailmonError, ExitCode, type MailmonError } from '../core/errors.js';
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

/** `storeFile` names the store in SQLite's errors, which every path that runs SQL may throw. */
export function describeError(thrown: unknown, commandId?: string, storeFile?: string): RenderedError {
  const error = translateSqliteError(thrown, storeFile);
  if (isMailmonError(error)) {
    const mailmon = error as MailmonError;
    return { code: mailmon.code, message: mailmon.message, hint: mailmon.hint, exitCode: mailmon.exitCode, details: mailmon.details, stack: mailmon.stack };
  }
  const help = commandId ? `mailmon ${commandId.replaceAll(':', ' ')} --help` : 'mailmon --help';
  if (isOclifUsageError(error)) {
    const firstLine = firstMeaningfulLine(error.message);
    return { code: 'usage', message: firstLine, hint: `See "${help}" for usage and examples.`, exitCode: ExitCode.usage, stack: error.stack };
  }
  const message = error instanceof Error ? error.message : String(error);
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
