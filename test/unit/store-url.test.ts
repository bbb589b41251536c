import { describe, expect, it } from 'vitest';
import { ExitCode, type MailmonError } from '../../src/core/errors.js';
import { resolveSetting, settingSpec } from '../../src/core/settings.js';
import { redactStoreUrl, selectStore, validateStoreUrl } from '../../src/core/store-url.js';

function thrown(run: () => unknown): MailmonError {
  try {
    run();
  } catch (error) {
    return error as MailmonError;
  }
  throw new Error('expected an error');
}

describe('store selection', () => {
  it('is the SQLite store when neither store.url nor MAILMON_DATABASE_URL is set (an empty variable counts as unset)', () => {
    expect(selectStore({}, {})).toEqual({ kind: 'sqlite' });
    expect(selectStore({}, { MAILMON_DATABASE_URL: '' })).toEqual({ kind: 'sqlite' });
  });

  it('is PostgreSQL from store.url, and MAILMON_DATABASE_URL wins over it', () => {
    expect(selectStore({ 'store.url': 'postgres://u:pw@db.example/mailmon' }, {})).toEqual({ kind: 'postgres', url: 'postgres://u:pw@db.example/mailmon', display: 'postgres://u:****@db.example/mailmon', source: 'file' });
    expect(selectStore({ 'store.url': 'postgres://file/a' }, { MAILMON_DATABASE_URL: 'postgresql://env:5433/b' })).toMatchObject({ kind: 'postgres', url: 'postgresql://env:5433/b', source: 'env' });
    expect(resolveSetting('store.url', { 'store.url': 'postgres://file/a' }, { MAILMON_DATABASE_URL: 'postgresql://env/b' })).toMatchObject({ value: 'postgresql://env/b', source: 'env' });
  });

  it('refuses anything but a postgres:// or postgresql:// URL with a host, naming where it came from, without printing the password', () => {
    for (const bad of ['mysql://u:secretpw@h/db', 'http://h/db', 'postgres:///db', 'not a url', '/var/lib/mailmon.db']) {
      const error = thrown(() => validateStoreUrl(bad));
      expect(error).toMatchObject({ code: 'config_bad_value', message: expect.stringContaining('store.url') });
      expect(error.exitCode).toBe(ExitCode.config);
      expect(error.hint).toContain('postgres://');
      expect(error.message).not.toContain('secretpw');
    }
    expect(thrown(() => selectStore({}, { MAILMON_DATABASE_URL: 'sqlite:x' })).message).toContain('MAILMON_DATABASE_URL');
    expect(thrown(() => selectStore({ 'store.url': 'x' }, {})).message).toContain('store.url');
    expect(() => settingSpec('store.url').validate('mysql://h/db')).toThrow(/Invalid value .* for store\.url/);
    expect(() => settingSpec('store.url').validate('postgresql://h:5432/db?sslmode=require')).not.toThrow();
  });

  it('masks passwords in the user part and in the query', () => {
    expect(redactStoreUrl('postgres://u:p%40ss@h:5432/db')).toBe('postgres://u:****@h:5432/db');
    expect(redactStoreUrl('postgres://h/db?password=x&sslmode=require')).toBe('postgres://h/db?password=****&sslmode=require');
    expect(redactStoreUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
    expect(settingSpec('store.url').secret).toBe(true);
  });
});
