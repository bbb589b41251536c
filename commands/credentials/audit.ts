import { BaseCommand } from '../../src/cli/base-command.js';
import { auditCredentials, type CredentialAuditReport } from '../../src/app/credentials-audit.js';
import { credentialAuditDeps } from '../../src/cli/wiring.js';
import { auditFailure, renderCredentialAudit } from '../../src/cli/render-credentials.js';
import { ExitCode } from '../../src/core/errors.js';

export default class CredentialsAudit extends BaseCommand {
  static summary = 'Check that every stored credential and secret is readable and sealed with the current key.';
  static description = 'Lists each credential (per mailbox) and secret: where it lives (keychain or encrypted file store), the id of the key that sealed it, and whether it opens now. Also lists mailboxes that have no credential. Exits non-zero when anything is unreadable. Never prints a token or a key.';
  static examples = ['<%= config.bin %> credentials audit', '<%= config.bin %> credentials audit --json | jq .summary'];

  async run(): Promise<CredentialAuditReport> {
    await this.parse(CredentialsAudit);
    const report = await auditCredentials(await credentialAuditDeps(this.ctx));
    if (this.jsonEnabled()) {
      if (!report.ok) {
        this.logJson(report);
        this.exit(ExitCode.auth);
      }
      return report;
    }
    this.out(renderCredentialAudit(report, this.color));
    if (!report.ok) throw auditFailure(report);
    return report;
  }
}
