/**
 * The daemon's config, kept current without a restart. The config file is watched and
 * reloaded when it changes; `mailmon config set` also asks for a
 * reload over the control channel and gets back how the daemon takes the setting. Settings the
 * daemon reads at each use (core/settings: `daemon: 'live'`) apply from their next use;
 * settings read once at start are reported as waiting for a restart. A file with a bad value is
 * refused whole and the values in effect stay. Every reload that changes something is logged.
 */
import { DAEMON_RESTART_COMMAND, SETTINGS, settingSpec, type DaemonSettingState, type SettingsDiff } from '../core/settings.js';
import { errorBody } from '../core/daemon-status.js';
import type { Logger } from '../core/log-entry.js';
import type { ReloadableConfig } from '../app/ports/config.js';
import type { Service } from './service.js';

export type { ReloadableConfig };

export interface ConfigServiceOptions {
  config: ReloadableConfig;
  logger: Logger;
  /** After a reload that changed something (the daemon re-plans, e.g. a new poll interval). */
  onChanged?: (diff: SettingsDiff) => void;
  pollMs?: number;
}

export class ConfigService implements Service {
  readonly id = 'config';
  private readonly atStart = new Map<string, string | undefined>();

  constructor(private readonly options: ConfigServiceOptions) {
    // What the daemon started with: a `restart` setting that differs waits for a restart.
    for (const spec of SETTINGS) if (spec.daemon === 'restart') this.atStart.set(spec.key, options.config.resolve(spec.key).value);
  }

  async run(signal: AbortSignal): Promise<void> {
    this.options.config.watch(() => this.tryReload('the config file changed'), signal, { pollMs: this.options.pollMs });
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  }

  async stop(): Promise<void> {
    // The watch ends with the supervisor's signal.
  }

  /** Reloads now; throws (config_file_invalid, config_bad_value) when the file is refused. */
  reload(trigger: string): SettingsDiff {
    const { config, logger } = this.options;
    let diff: SettingsDiff;
    try {
      diff = config.reload();
    } catch (error) {
      const body = errorBody(error);
      logger.error('config not reloaded: the values in effect stay', { trigger, file: config.file, code: body.code, error: body.message });
      throw error;
    }
    if (diff.changed.length === 0 && diff.overriddenByEnv.length === 0) return diff;
    const needsRestart = diff.changed.filter((change) => change.daemon === 'restart').map((change) => change.key);
    logger.info('config reloaded', {
      trigger,
      changed: Object.fromEntries(diff.changed.map((change) => [change.key, change.value ?? null])),
      ...(needsRestart.length > 0 ? { needsRestart } : {}),
      ...(diff.overriddenByEnv.length > 0 ? { overriddenByEnv: diff.overriddenByEnv.map((entry) => entry.env) } : {}),
    });
    if (needsRestart.length > 0) logger.warn(`${needsRestart.join(', ')} take effect only after a restart: ${DAEMON_RESTART_COMMAND}`);
    if (diff.changed.length > 0) this.options.onChanged?.(diff);
    return diff;
  }

  /** Reloads, then says how the daemon holds `key` (for `config set` / `config unset`). */
  settingState(key: string): DaemonSettingState {
    const spec = settingSpec(key);
    this.reload('mailmon config');
    const resolved = this.options.config.resolve(key);
    const pendingRestart = spec.daemon === 'restart' && resolved.value !== this.atStart.get(key);
    return { key, source: resolved.source, env: resolved.env, daemon: spec.daemon, pendingRestart };
  }

  private tryReload(trigger: string): void {
    try {
      this.reload(trigger);
    } catch {
      // Logged by reload; the values in effect stay until the file is fixed.
    }
  }
}
