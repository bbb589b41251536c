import { stripVTControlCharacters, styleText } from 'node:util';
import { describe, expect, it } from 'vitest';
import { applyColorPolicy, colorEnabled, plural } from '../../src/cli/output.js';
import { table, visibleWidth } from '../../src/cli/table.js';
import { toJsonOutput } from '../../src/cli/json-output.js';

describe('the colour policy', () => {
  it('NO_COLOR wins over FORCE_COLOR and a TTY; FORCE_COLOR colours a pipe; otherwise only a TTY', () => {
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1', FORCE_COLOR: '3' })).toBe(false);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
  });

  it('pins FORCE_COLOR=0 for the libraries that decide on their own (chalk ignores NO_COLOR)', () => {
    const env: NodeJS.ProcessEnv = { NO_COLOR: '1', FORCE_COLOR: '1' };
    applyColorPolicy(env, { isTTY: true });
    expect(env.FORCE_COLOR).toBe('0');
    const tty: NodeJS.ProcessEnv = {};
    applyColorPolicy(tty, { isTTY: true });
    expect(tty.FORCE_COLOR).toBeUndefined();
  });
});

describe('the table renderer', () => {
  it('aligns coloured cells by their visible width', () => {
    const red = styleText('red', 'warning', { validateStream: false });
    expect(visibleWidth(red)).toBe(7);
    const text = table([{ a: red, b: 'x' }, { a: 'ok', b: 'y' }], [{ header: 'health', value: (row) => row.a }, { header: 'n', value: (row) => row.b }]);
    const plain = stripVTControlCharacters(text).split('\n');
    expect(plain[0]).toBe('HEALTH   N');
    expect(plain[1]).toBe('warning  x');
    expect(plain[2]).toBe('ok       y');
  });
});

describe('small text', () => {
  it('pluralises', () => {
    expect(plural(1, 'failure')).toBe('1 failure');
    expect(plural(0, 'failure')).toBe('0 failures');
    expect(plural(2, 'lease file is', 'lease files are')).toBe('2 lease files are');
  });
});

describe('JSON output', () => {
  it('turns every timestamp field into ISO 8601 and leaves durations and other numbers alone', () => {
    const at = Date.UTC(2026, 4, 4, 10, 0, 0);
    expect(toJsonOutput({ generatedAt: at, uptimeMs: 5, count: 3, failingSince: null, nested: [{ heartbeatAt: at, at }] })).toEqual({
      generatedAt: '2026-05-04T10:00:00.000Z', uptimeMs: 5, count: 3, failingSince: null, nested: [{ heartbeatAt: '2026-05-04T10:00:00.000Z', at: '2026-05-04T10:00:00.000Z' }],
    });
  });
});
