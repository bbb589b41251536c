/** Human output of `mailmon credentials audit` and `rewrap`. Key ids only; never a key or a value. */
import type { CredentialAuditReport } from '../app/credentials-audit.js';
import type { RewrapResult } from '../app/credentials-rewrap.js';
import { MailmonError } from '../core/errors.js';
import { paint } from './output.js';
import { table } from './table.js';

export function renderCredentialAudit(report: CredentialAuditReport, color: boolean): string {
  const key = report.currentKey ? `${report.currentKey.keyId} (from ${report.currentKey.source === 'env' ? 'MAILMON_ENCRYPTION_KEY' : report.currentKey.file})` : 'none yet';
  const keychain = report.secretStore.keychainAvailable === null ? '' : `, keychain ${report.secretStore.keychainAvailable ? 'available' : `unavailable (${report.secretStore.keychainReason ?? 'probe failed'})`}`;
  const lines = [
    `store        ${report.secretStore.setting} → new values go to ${report.secretStore.newValuesGoTo}${keychain}`,
    `current key  ${key}`,
    '',
  ];
  if (report.entries.length === 0) lines.push('No credentials or secrets stored.');
  else {
    lines.push(table(report.entries, [
      { header: 'ok', value: (entry) => (entry.readable ? paint('green', '✓', color) : paint('red', '✗', color)) },
      { header: 'type', value: (entry) => entry.type },
      { header: 'id', value: (entry) => entry.id },
      { header: 'address', value: (entry) => entry.emailAddress ?? '-' },
      { header: 'store', value: (entry) => entry.store },
      { header: 'key id', value: (entry) => entry.keyId ?? '-' },
      { header: 'current key', value: (entry) => (entry.underCurrentKey === null ? '-' : entry.underCurrentKey ? 'yes' : 'no') },
    ]).trimEnd());
    for (const entry of report.entries.filter((candidate) => !candidate.readable)) {
      lines.push(`${paint('red', '✗', color)} ${entry.problem ?? `${entry.type} ${entry.id} is unreadable.`}`);
      if (entry.fix) lines.push(`  ${paint('dim', '→', color)} ${entry.fix}`);
    }
  }
  for (const mailbox of report.mailboxesWithoutCredential) {
    lines.push(`${paint('yellow', '!', color)} mailbox ${mailbox.mailboxId} (${mailbox.emailAddress}, ${mailbox.status}) has no credential → run "mailmon login" for it`);
  }
  const { summary } = report;
  lines.push('', report.ok
    ? `${summary.readable} readable, 0 unreadable.`
    : paint('red', `${summary.unreadable} unreadable of ${summary.credentials + summary.secrets}.`, color));
  return lines.join('\n');
}

/** The one-line error (and what to do) after the report of a failed audit. */
export function auditFailure(report: CredentialAuditReport): MailmonError {
  const { unreadable, credentials, secrets, notUnderCurrentKey } = report.summary;
  const first = report.entries.find((entry) => !entry.readable);
  return new MailmonError('credential_unreadable', `${unreadable} of ${credentials + secrets} stored credentials ${unreadable === 1 ? 'is' : 'are'} unreadable.`, {
    hint: notUnderCurrentKey > 0 ? 'If MAILMON_ENCRYPTION_KEY changed, run "mailmon credentials rewrap" (it needs the old key).' : first?.fix ?? 'See the report above.',
  });
}

export function renderRewrap(result: RewrapResult): string {
  const lines = [
    result.rewrapped.length === 0
      ? result.currentKeyId === null ? 'Nothing to rewrap: no envelopes are stored.' : `Nothing to rewrap: every envelope is already under key ${result.currentKeyId}.`
      : `Rewrapped ${result.rewrapped.length} envelope${result.rewrapped.length === 1 ? '' : 's'} from key ${result.oldKeyId} to key ${result.currentKeyId}.`,
  ];
  const extras = [
    result.alreadyCurrent > 0 ? `${result.alreadyCurrent} already under the current key` : '',
    result.inKeychain > 0 ? `${result.inKeychain} in the OS keychain (not envelopes, left alone)` : '',
  ].filter(Boolean);
  if (extras.length > 0) lines.push(`(${extras.join('; ')})`);
  return lines.join('\n');
}
