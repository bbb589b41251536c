import { BaseCommand } from '../../src/cli/base-command.js';
import { rewrapCredentials, type RewrapResult } from '../../src/app/credentials-rewrap.js';
import { renderRewrap } from '../../src/cli/render-credentials.js';
import { pathFlag } from '../../src/cli/flags.js';
import { rewrapDeps } from '../../src/cli/wiring.js';

export default class CredentialsRewrap extends BaseCommand {
  static summary = 'Re-encrypt every stored envelope under the current key, all or nothing.';
  static description = [
    'Run it after MAILMON_ENCRYPTION_KEY changes. The old key is taken from --old-key-file, else MAILMON_OLD_ENCRYPTION_KEY (base64), else the home\'s generated key file (the usual case: you had a key file and now set MAILMON_ENCRYPTION_KEY).',
    'Every envelope is decrypted first; if one does not open with the old key, nothing is written. Keys are never accepted as flag values, so they do not show in `ps`.',
  ].join('\n\n');
  static examples = [
    'MAILMON_ENCRYPTION_KEY="$NEW_KEY" <%= config.bin %> credentials rewrap',
    '<%= config.bin %> credentials rewrap --old-key-file ~/old-mailmon.key',
    'MAILMON_OLD_ENCRYPTION_KEY="$OLD" <%= config.bin %> credentials rewrap --json',
  ];
  static flags = {
    'old-key-file': pathFlag({ description: 'File holding the old key (base64), when it is neither the key file nor MAILMON_OLD_ENCRYPTION_KEY.', helpValue: 'PATH' }),
  };

  async run(): Promise<RewrapResult> {
    const { flags } = await this.parse(CredentialsRewrap);
    const result = await rewrapCredentials(await rewrapDeps(this.ctx), { oldKeyFile: flags['old-key-file'] });
    this.out(renderRewrap(result));
    if (result.retiredKeyFile) this.note(`Keep MAILMON_ENCRYPTION_KEY set from now on: the key file ${result.retiredKeyFile} no longer opens these envelopes.`);
    return result;
  }
}
