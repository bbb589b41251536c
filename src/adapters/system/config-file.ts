/**
 * The config file (JSON, 0600) and the resolved view of every setting: env overrides the
 * file, the file overrides defaults. Validation lives in core/settings.
 */
import fs from 'node:fs';
import { MailmonError } from '../../core/errors.js';
import { parseDuration, parseSchedule } from '../../core/durations.js';
import { diffSettings, resolveSetting, settingSpec, SETTINGS, type ResolvedSetting, type SettingKey, type SettingsDiff } from '../../core/settings.js';
import type { DurationSetting, FlagSetting, NumberSetting, OptionalSetting, ReloadableConfig, ScheduleSetting, StringSetting } from '../../app/ports/config.js';
import { watchFile } from './file-watch.js';
import { resolveConfigFile, writePrivateFile } from './home.js';

export function readConfigFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, String(value)]));
  } catch {
    throw new MailmonError('config_file_invalid', `Config file ${file} is not valid JSON.`, {
      hint: `Fix or delete it; mailmon rewrites it on the next "mailmon config set".`,
    });
  }
}

/** The config file's settings (the Config port), plus writing them for `mailmon config set|unset`. */
export class Config implements ReloadableConfig {
  readonly file: string;
  private values: Record<string, string>;

  constructor(private readonly env: NodeJS.ProcessEnv = process.env, file = resolveConfigFile(env)) {
    this.file = file;
    this.values = readConfigFile(file);
  }

  resolve(key: string): ResolvedSetting {
    return resolveSetting(key, this.values, this.env);
  }

  list(): ResolvedSetting[] {
    return SETTINGS.map((spec) => this.resolve(spec.key));
  }

  get(key: SettingKey): string | undefined {
    return this.resolve(key).value;
  }

  set(key: string, value: string): void {
    settingSpec(key).validate(value);
    this.values = { ...this.values, [key]: value };
    writePrivateFile(this.file, `${JSON.stringify(this.values, null, 2)}\n`);
  }

  unset(key: string): boolean {
    settingSpec(key);
    if (!(key in this.values)) return false;
    const { [key]: _removed, ...rest } = this.values;
    this.values = rest;
    writePrivateFile(this.file, `${JSON.stringify(this.values, null, 2)}\n`);
    return true;
  }

  /**
   * Re-reads the file (the daemon does when it changes) and returns what changed in effect.
   * A file that is not valid JSON or holds a bad value is refused whole: the values in effect
   * stay, and the MailmonError says why.
   */
  reload(): SettingsDiff {
    const next = readConfigFile(this.file);
    for (const spec of SETTINGS) {
      const value = next[spec.key];
      if (value !== undefined && value !== this.values[spec.key]) spec.validate(value);
    }
    const diff = diffSettings(this.values, next, this.env);
    this.values = next;
    return diff;
  }

  /** Watches the file (see file-watch: a directory watch plus a periodic stat). */
  watch(onChange: () => void, signal: AbortSignal, options: { pollMs?: number } = {}): void {
    watchFile(this.file, onChange, signal, options);
  }

  /** A value from the environment is validated on use, so a bad env var is a clear error too. */
  private checked(key: SettingKey): string {
    const resolved = this.resolve(key);
    if (resolved.value === undefined) throw new MailmonError('config_bad_value', `Setting ${key} is not set.`, { hint: `Set it with "mailmon config set ${key} VALUE" or ${resolved.env}.` });
    try {
      settingSpec(key).validate(resolved.value);
    } catch (error) {
      if (resolved.source === 'env' && error instanceof MailmonError) {
        throw new MailmonError('config_bad_value', `${error.message.replace(/\.$/, '')} (from ${resolved.env}).`, { hint: error.hint });
      }
      throw error;
    }
    return resolved.value;
  }

  durationMs(key: DurationSetting): number {
    return parseDuration(this.checked(key), key);
  }

  scheduleMs(key: ScheduleSetting): number[] {
    return parseSchedule(this.checked(key), key);
  }

  number(key: NumberSetting): number {
    return Number(this.checked(key));
  }

  flag(key: FlagSetting): boolean {
    return this.checked(key) === 'true';
  }

  string(key: StringSetting): string {
    return this.checked(key);
  }

  optional(key: OptionalSetting): string | undefined {
    return this.get(key);
  }
}
