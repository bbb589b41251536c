import { describe, expect, it } from 'vitest';
import { ExitCode, MailmonError, errorCatalog } from '../../src/core/errors.js';
import { describeError, errorJson, errorText } from '../../src/cli/render-error.js';

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
});
