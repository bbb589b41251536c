import type { DoctorReport } from '../app/doctor.js';
import { paint } from './output.js';

export function renderDoctorReport(report: DoctorReport, color: boolean): string {
  const lines = [
    `home       ${report.home}`,
    `versions   mailmon ${report.versions.mailmon}, node ${report.versions.node}, ${storeVersion(report.versions)} (${report.versions.platform})`,
    '',
  ];
  for (const check of report.checks) {
    const mark = check.ok ? paint('green', '✓', color) : paint('red', '✗', color);
    lines.push(`${mark} ${check.name.padEnd(18)} ${check.detail}`);
    if (!check.ok && check.fix) lines.push(`  ${paint('dim', '→', color)} ${check.fix}`);
  }
  lines.push('', report.ok ? 'Everything looks good.' : paint('red', 'Some checks failed.', color));
  return lines.join('\n');
}

/** The store engine doctor opened: PostgreSQL for a shared store, else SQLite ('?' when it did not open). */
function storeVersion(versions: DoctorReport['versions']): string {
  return versions.postgresql ? `postgresql ${versions.postgresql}` : `sqlite ${versions.sqlite ?? '?'}`;
}
