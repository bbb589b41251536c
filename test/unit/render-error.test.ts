import { describe, expect, it } from 'vitest';
import { ExitCode, MailmonError, errorCatalog } from '../../src/core/errors.js';
import { Errors, Flags, Parser } from '@oclif/core';
import { describeError, errorJson, errorText, parseFailure } from '../../src/cli/render-error.js';
import { integerFlag, parseWholeNumber, checkPathLength, quoteInput } from '../../src/cli/flags.js';

describe('the error renderer', () => {
  it('renders a MailmonError as one message line plus one hint line, no stack by default', () => {
    const error = new MailmonError('store_not_sqlite', 'The store x is not a SQLite database.', { hint: 'Move it aside.' });
    const text = errorText(describeError(error), { verbose: false, color: false });
    expect(text).toBe('Error: The store x is not a SQLite database.\n→ Move it aside.\n');
    expect(errorText(describeError(error), { verbose: true, color: false })).toContain('at ');
  });

  it('renders --json errors as {error:{code,message,hint}}', () => {
    const error = new MailmonError('lease_held', 'Mailbox busy.', { hint: 'Wait.', details: { pid: 42 } });
    expect(errorJson(describeError(error))).toEqual({ error: { code: 'lease_held', message: 'Mailbox busy.', hint: 'Wait.', pid: 42 } });
    expect(describeError(error).exitCode).toBe(ExitCode.busy);
  });

  it("shows oclif's wrapped flag error itself, not its wrapper line", () => {
    const error = Object.assign(new Error('The following error occurred:\n  --from-start cannot also be provided when using --since\nSee more help with --help'), { oclif: { exit: 2 } });
    Object.defineProperty(error, 'constructor', { value: { name: 'FailedFlagValidationError' } });
    expect(describeError(error)).toMatchObject({ code: 'usage', message: '--from-start cannot also be provided when using --since' });
  });

  it('maps unexpected errors to code internal with a hint to use --verbose', () => {
    const rendered = describeError(new TypeError('x is undefined'));
    expect(rendered).toMatchObject({ code: 'internal', exitCode: 1 });
    expect(rendered.hint).toMatch(/--verbose/);
  });

  it('maps every catalogued code to an exit code in the single table', () => {
    for (const [code, exit] of Object.entries(errorCatalog)) {
      expect(ExitCode[exit], code).toBeTypeOf('number');
    }
  });

  it('maps ENAMETOOLONG from any path to a usage error, not an internal one', () => {
    const error = Object.assign(new Error(`ENAMETOOLONG: name too long, open '${'x'.repeat(300)}'`), { code: 'ENAMETOOLONG', path: 'x'.repeat(300) });
    expect(describeError(error)).toMatchObject({ code: 'usage', exitCode: ExitCode.usage, message: 'A path is too long for the file system (300 characters).' });
  });
});

/** What oclif's own parser throws for a command line, as BaseCommand.parse renders it. */
async function parseError(argv: string[], flags: Parameters<typeof Parser.parse>[1]['flags']): Promise<ReturnType<typeof describeError>> {
  try {
    await Parser.parse(argv, { flags, args: {}, strict: true });
  } catch (error) {
    return describeError(parseFailure(error, 'events:list'));
  }
  throw new Error('expected a parse error');
}

describe('parse failures (oclif parser → one usage error naming the flag)', () => {
  // A plain oclif integer flag stands for any flag whose parser throws oclif's own CLIError.
  // eslint-disable-next-line no-restricted-properties
  const plainInteger = Flags.integer({ description: 'plain oclif integer', min: 1 });
  const flags = { limit: integerFlag({ description: 'n', min: 1, max: 100 }), server: Flags.string({ description: 's' }), old: plainInteger };

  it.each([
    [['--limit', 'abc'], '--limit must be a whole number from 1 to 100, not "abc".'],
    [['--limit', '-5'], '--limit must be a whole number from 1 to 100, not "-5".'],
    [['--limit', '99999999999999999999'], '--limit must be a whole number from 1 to 100, not "99999999999999999999".'],
    [['--limit='], '--limit is empty: give a whole number from 1 to 100, or leave it out.'],
    [['--limit'], '--limit needs a value.'],
    [['--server', 'a', '--server', 'b'], '--server was given more than once: it takes one value.'],
    [['--old', 'x'], '--old: Expected an integer but received: x'],
    [['--nope'], 'Nonexistent flag: --nope'],
  ])('%j', async (argv, message) => {
    expect(await parseError(argv, flags)).toMatchObject({ code: 'usage', exitCode: ExitCode.usage, message, hint: 'See "mailmon events list --help" for usage and examples.' });
  });

  it('names missing arguments and required flags', () => {
    const args = new Errors.CLIError('Missing 2 required args:\nkey    Setting key\nvalue  New value\nSee more help with --help');
    expect(describeError(parseFailure(args)).message).toBe('Missing the arguments KEY and VALUE.');
    expect(describeError(parseFailure(new Errors.CLIError('The following error occurred:\n  Missing required flag header\nSee more help with --help'))).message).toBe('Missing --header: it is required.');
  });

  it('leaves an error that is not about the command line alone (a bug in a flag parser stays internal)', () => {
    const bug = new TypeError('x is undefined');
    expect(parseFailure(bug)).toBe(bug);
    expect(describeError(parseFailure(new Errors.CLIError('Flag --x expects a value'))).code).toBe('usage');
  });

  it('bounds whole numbers, checks path lengths, and quotes values on one line', () => {
    expect(parseWholeNumber(' 42 ', '--n', { min: 0, max: 100 })).toBe(42);
    for (const bad of ['1.5', '1e3', '0x10', '１２', 'NaN', '']) expect(() => parseWholeNumber(bad, '--n', { min: 0, max: 100 }), bad).toThrow(/--n/);
    expect(() => checkPathLength(`${'a'.repeat(256)}/f`, '--output')).toThrow(/--output is too long/);
    expect(checkPathLength(`${'a'.repeat(255)}/f`, '--output')).toBe(`${'a'.repeat(255)}/f`);
    expect(quoteInput('a\nb\u202ec')).toBe('"a\\nb\\u202ec"');
    expect(quoteInput('x'.repeat(100))).toBe(`"${'x'.repeat(60)}…"`);
  });
});

