import { BaseCommand } from '../src/cli/base-command.js';
import { runDoctor, type DoctorReport } from '../src/app/doctor.js';
import { renderDoctorReport } from '../src/cli/render-doctor.js';
import { doctorDeps, syncDoctorCheck } from '../src/cli/wiring-doctor.js';
import { pushDoctorCheck } from '../src/cli/wiring-push.js';
import { credentialsCheck, sharedStoreDoctor } from '../src/cli/wiring.js';
import { MailmonError } from '../src/core/errors.js';

export default class Doctor extends BaseCommand {
  static summary = 'Check the home, store, permissions, credentials and syncs; recover stuck syncs; say how to fix the rest.';
  static examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json | jq .checks'];

  async run(): Promise<DoctorReport> {
    await this.parse(Doctor);
    const report = this.ctx.selected.kind === 'postgres' ? await sharedStoreDoctor(this.ctx, this.config.version) : await runDoctor(doctorDeps(this.ctx, {
      version: this.config.version,
      extraChecks: [credentialsCheck(this.ctx), syncDoctorCheck, pushDoctorCheck(this.ctx)],
    }));
    if (this.jsonEnabled()) {
      if (!report.ok) {
        this.logJson(report);
        this.exit(1);
      }
      return report;
    }
    this.out(renderDoctorReport(report, this.color));
    if (!report.ok) {
      const failed = report.checks.filter((check) => !check.ok);
      throw new MailmonError('doctor_failed', `${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed[0].name}.`, { hint: failed[0].fix ?? 'See the report above.' });
    }
    return report;
  }
}
