/** The exit-code documentation is checked against src/core/errors.ts, so neither can drift. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode, errorCatalog } from '../../src/core/errors.js';
import { ROOT } from '../support/cli.js';

function tableRows(markdown: string): string[][] {
  return markdown.split('\n').filter((line) => /^\|\s*\d+\s*\|/.test(line)).map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
}

describe('exit codes are documented', () => {
  it('docs/exit-codes.md lists every exit code with exactly the error codes that map to it', () => {
    const rows = tableRows(fs.readFileSync(path.join(ROOT, 'docs', 'exit-codes.md'), 'utf8'));
    const documented = new Map(rows.map(([exit, name, , codes]) => [Number(exit), { name, codes: [...codes.matchAll(/`([a-z_]+)`/g)].map((match) => match[1]).sort() }]));
    expect([...documented.keys()].sort((a, b) => a - b)).toEqual(Object.values(ExitCode).sort((a, b) => a - b));
    for (const [name, exit] of Object.entries(ExitCode)) {
      const expected = Object.entries(errorCatalog).filter(([, exitName]) => exitName === name).map(([code]) => code).sort();
      expect(documented.get(exit), `exit ${exit}`).toEqual({ name, codes: expected });
    }
  });

  it('the README lists every exit code and links the full table', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const exits = tableRows(readme).map(([exit]) => Number(exit));
    expect(exits.sort((a, b) => a - b)).toEqual(Object.values(ExitCode).sort((a, b) => a - b));
    expect(readme).toContain('(docs/exit-codes.md)');
  });
});
