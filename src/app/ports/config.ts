/**
 * The settings a use case or daemon service reads, resolved (environment over file over
 * default) and validated on read: a bad value is a config_bad_value naming where it came from.
 * Reads are synchronous: the values are held in memory, and a daemon reads live settings at
 * each use. Only `reload` goes back to the file.
 */
import type { ResolvedSetting, SettingKey, SettingsDiff } from '../../core/settings.js';

export type DurationSetting = 'poll-interval' | 'push.poll-interval' | 'delivery.timeout' | 'retention' | 'store.busy-timeout';
export type ScheduleSetting = 'listen.retry-schedule' | 'delivery.retry-schedule';
export type NumberSetting = 'quota.units-per-second';
export type FlagSetting = 'sync.emit-backfill' | 'sync.fetch-by-thread';
export type StringSetting = 'gmail.api-url' | 'oauth.url' | 'secret-store' | 'pubsub.api-url' | 'push.credentials';
export type OptionalSetting = 'oauth.client-id' | 'oauth.client-secret' | 'push.topic' | 'push.subscription' | 'push.label-ids';

export interface Config {
  resolve(key: string): ResolvedSetting;
  get(key: SettingKey): string | undefined;
  durationMs(key: DurationSetting): number;
  scheduleMs(key: ScheduleSetting): number[];
  number(key: NumberSetting): number;
  flag(key: FlagSetting): boolean;
  string(key: StringSetting): string;
  optional(key: OptionalSetting): string | undefined;
}

/** The config the daemon keeps current while it runs. */
export interface ReloadableConfig extends Config {
  /** Where it is read from, as shown in the log. */
  readonly file: string;
  /** Re-reads it; what changed in effect. A bad file is refused whole (the values in effect stay). */
  reload(): SettingsDiff;
  /** Calls `onChange` whenever the source changes, until `signal` aborts. */
  watch(onChange: () => void, signal: AbortSignal, options?: { pollMs?: number }): void;
}
