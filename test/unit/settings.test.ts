import { describe, expect, it } from 'vitest';
import { resolveSetting, settingSpec, SETTINGS } from '../../src/core/settings.js';

describe('settings', () => {
  it('env overrides the file, the file overrides the default', () => {
    expect(resolveSetting('poll-interval', {}, {})).toMatchObject({ value: '30s', source: 'default' });
    expect(resolveSetting('poll-interval', { 'poll-interval': '10s' }, {})).toMatchObject({ value: '10s', source: 'file' });
    expect(resolveSetting('poll-interval', { 'poll-interval': '10s' }, { MAILMON_POLL_INTERVAL: '1m' })).toMatchObject({ value: '1m', source: 'env' });
  });

  it('covers every setting and env var of PRODUCT §8', () => {
    const keys = SETTINGS.map((setting) => setting.key);
    for (const key of ['poll-interval', 'quota.units-per-second', 'listen.retry-schedule', 'delivery.retry-schedule', 'delivery.timeout', 'retention']) expect(keys).toContain(key);
    const envs = SETTINGS.map((setting) => setting.env);
    for (const env of ['MAILMON_GMAIL_API_URL', 'MAILMON_OAUTH_URL', 'MAILMON_GMAIL_OAUTH_CLIENT_ID', 'MAILMON_GMAIL_OAUTH_CLIENT_SECRET', 'MAILMON_SECRET_STORE']) expect(envs).toContain(env);
  });

  it('rejects unknown keys listing the valid ones, and bad values saying what is expected', () => {
    expect(() => settingSpec('nope')).toThrow(/Unknown setting "nope"/);
    try {
      settingSpec('nope');
    } catch (error) {
      expect((error as { hint: string }).hint).toContain('poll-interval');
    }
    expect(() => settingSpec('quota.units-per-second').validate('-3')).toThrow(/Invalid value/);
    expect(() => settingSpec('gmail.api-url').validate('ftp://x')).toThrow(/Invalid value/);
    expect(() => settingSpec('secret-store').validate('vault')).toThrow(/Invalid value/);
    expect(() => settingSpec('delivery.retry-schedule').validate('0s,1m,x')).toThrow(/Invalid value/);
    expect(() => settingSpec('delivery.retry-schedule').validate('0s,1m,5m')).not.toThrow();
  });
});
