/** The daemon's config reloader on a real config file: live values, refused bad files, the watch, restart-only settings. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry, Logger } from '../../src/core/log-entry.js';
import { diffSettings } from '../../src/core/settings.js';
import { Config } from '../../src/adapters/system/config-file.js';
import { ConfigService } from '../../src/daemon/config-service.js';
import { tempHome } from '../support/cli.js';

function memoryLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (msg: string, fields?: Record<string, unknown>) => entries.push({ time: new Date().toISOString(), level, msg, ...fields });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const controllers: AbortController[] = [];
afterEach(() => controllers.splice(0).forEach((controller) => controller.abort()));

function setup(env: Record<string, string> = {}) {
  const home = tempHome('mailmon-config-reload-');
  fs.mkdirSync(home, { recursive: true });
  const config = new Config({ MAILMON_HOME: home, ...env });
  const logger = memoryLogger();
  const changes: string[][] = [];
  const service = new ConfigService({ config, logger, pollMs: 50, onChanged: (diff) => changes.push(diff.changed.map((change) => change.key)) });
  const write = (values: Record<string, string>) => fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify(values));
  return { home, config, logger, changes, service, write };
}

async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the daemon config reloader', () => {
  it('a changed file is watched and reloaded: live settings read through the config see the new value, the reload is logged', async () => {
    const { config, logger, changes, service, write } = setup();
    const schedule = () => config.scheduleMs('delivery.retry-schedule');
    expect(schedule()).toEqual([0, 60_000, 300_000, 1_800_000, 7_200_000, 28_800_000, 86_400_000]);
    const controller = new AbortController();
    controllers.push(controller);
    void service.run(controller.signal);
    write({ 'delivery.retry-schedule': '0s,1s', 'poll-interval': '5s' });
    await until('the reload', () => changes.length > 0);
    expect(schedule()).toEqual([0, 1000]);
    expect(config.durationMs('poll-interval')).toBe(5000);
    expect(changes).toEqual([['poll-interval', 'delivery.retry-schedule']]);
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'info', msg: 'config reloaded', trigger: 'the config file changed', changed: { 'poll-interval': '5s', 'delivery.retry-schedule': '0s,1s' } }));
  });

  it('a file with a bad value or bad JSON is refused whole: the values in effect stay, and it says why', () => {
    const { config, logger, service, write } = setup();
    write({ 'delivery.timeout': '5s', retention: 'forever' });
    expect(() => service.reload('test')).toThrow(/Invalid value "forever" for retention/);
    expect(config.durationMs('delivery.timeout')).toBe(15_000);
    write({ 'delivery.timeout': '5s' });
    expect(service.reload('test').changed).toEqual([{ key: 'delivery.timeout', value: '5s', daemon: 'live' }]);
    fs.writeFileSync(config.file, '{ not json');
    expect(() => service.reload('test')).toThrow(/not valid JSON/);
    expect(config.durationMs('delivery.timeout')).toBe(5000);
    expect(logger.entries.filter((entry) => entry.level === 'error').map((entry) => entry.code)).toEqual(['config_bad_value', 'config_file_invalid']);
  });

  it('says how the daemon holds a setting: live, waiting for a restart, or overridden by its environment', () => {
    const { logger, service, write } = setup({ MAILMON_POLL_INTERVAL: '1m' });
    write({ 'sync.emit-backfill': 'true', 'poll-interval': '5s', 'oauth.client-secret': 'very-secret-value' });
    expect(service.settingState('sync.emit-backfill')).toMatchObject({ daemon: 'restart', pendingRestart: true, source: 'file' });
    expect(service.settingState('poll-interval')).toMatchObject({ source: 'env', env: 'MAILMON_POLL_INTERVAL' });
    expect(service.settingState('delivery.timeout')).toMatchObject({ daemon: 'live', pendingRestart: false, source: 'default' });
    write({ 'oauth.client-secret': 'very-secret-value' });
    expect(service.settingState('sync.emit-backfill')).toMatchObject({ pendingRestart: false, source: 'default' });
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'sync.emit-backfill take effect only after a restart: mailmon daemon stop && mailmon daemon start' }));
    expect(logger.entries).toContainEqual(expect.objectContaining({ msg: 'config reloaded', overriddenByEnv: ['MAILMON_POLL_INTERVAL'] }));
    // Secrets are never logged in full.
    expect(JSON.stringify(logger.entries)).not.toContain('very-secret-value');
  });

  it('diffSettings reports what changed in effect, not what changed in the file', () => {
    expect(diffSettings({ retention: '30d' }, {}, {})).toEqual({ changed: [], overriddenByEnv: [] });
    expect(diffSettings({}, { retention: '7d' }, {})).toEqual({ changed: [{ key: 'retention', value: '7d', daemon: 'live' }], overriddenByEnv: [] });
    expect(diffSettings({}, { retention: '7d' }, { MAILMON_RETENTION: '1d' })).toEqual({ changed: [], overriddenByEnv: [{ key: 'retention', env: 'MAILMON_RETENTION' }] });
  });
});
