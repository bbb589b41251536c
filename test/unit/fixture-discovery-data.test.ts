import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LABEL_COLORS, METHOD_SCOPES } from '../../src/fixtures/discovery-data.js';
import { ROOT } from '../support/cli.js';

describe('the fixture server\'s rules derived from the discovery document', () => {
  it('src/fixtures/discovery-data.ts is what scripts/fixture-discovery.mjs generates', () => {
    expect(() => execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'fixture-discovery.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it('has the scopes of every Gmail method and the label colour palette', () => {
    expect(METHOD_SCOPES['messages.send']).toContain('https://www.googleapis.com/auth/gmail.send');
    expect(METHOD_SCOPES['messages.delete']).toEqual(['https://mail.google.com/']);
    expect(LABEL_COLORS).toContain('#fb4c2f');
    expect(LABEL_COLORS).toHaveLength(new Set(LABEL_COLORS).size);
    expect(LABEL_COLORS.length).toBeGreaterThan(100);
  });
});
