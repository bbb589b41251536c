/** doctor's text output names the engine of the store it opened: SQLite, or PostgreSQL for a shared store. */
import { describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/app/doctor.js';
import { renderDoctorReport } from '../../src/cli/render-doctor.js';

const report = (versions: Partial<DoctorReport['versions']>): DoctorReport => ({
  ok: true, home: '/home/me/.mailmon', versions: { mailmon: '1.0.0', node: '22.0.0', platform: 'linux-x64', ...versions }, migrations: { applied: 1, shipped: 1 }, checks: [],
});

describe('doctor report', () => {
  it('shows the engine version of the store', () => {
    expect(renderDoctorReport(report({ sqlite: '3.50.0' }), false)).toContain('node 22.0.0, sqlite 3.50.0 (linux-x64)');
    expect(renderDoctorReport(report({ postgresql: '17.10' }), false)).toContain('node 22.0.0, postgresql 17.10 (linux-x64)');
    expect(renderDoctorReport(report({}), false)).toContain('sqlite ? (linux-x64)');
  });
});
