import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKeyFile, currentEncryptionKey, currentOrNewEncryptionKey, readKeyFile } from '../../src/adapters/secrets/encryption-key.js';
import { keyIdOf } from '../../src/adapters/secrets/envelope.js';
import { ensureHome } from '../../src/adapters/system/home.js';
import { hasCode } from '../../src/core/errors.js';
import { ROOT, tempHome, waitForLine } from '../support/cli.js';
import { randomKeyBase64 } from '../support/vault-home.js';

const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

describe('the generated key file', () => {
  it('is created 0600 in a 0700 directory, holds 32 bytes of base64, and is reused', () => {
    const home = ensureHome({ MAILMON_HOME: tempHome() });
    expect(currentEncryptionKey(home, {})).toBeUndefined();
    expect(fs.existsSync(home.keyFile)).toBe(false);
    const created = currentOrNewEncryptionKey(home, {});
    expect(created.source).toBe('file');
    expect(mode(home.keyFile)).toBe('600');
    expect(mode(path.dirname(home.keyFile))).toBe('700');
    expect(Buffer.from(fs.readFileSync(home.keyFile, 'utf8').trim(), 'base64')).toHaveLength(32);
    expect(created.keyId).toBe(keyIdOf(created.key));
    expect(currentOrNewEncryptionKey(home, {}).keyId).toBe(created.keyId);
    expect(fs.readdirSync(path.dirname(home.keyFile))).toEqual(['credentials.key']);
  });

  it('MAILMON_ENCRYPTION_KEY wins and no key file is created', () => {
    const home = ensureHome({ MAILMON_HOME: tempHome() });
    const key = currentOrNewEncryptionKey(home, { MAILMON_ENCRYPTION_KEY: randomKeyBase64() });
    expect(key.source).toBe('env');
    expect(fs.existsSync(home.keyFile)).toBe(false);
  });

  it('keeps the key that is already there when it loses the race', () => {
    const home = ensureHome({ MAILMON_HOME: tempHome() });
    fs.mkdirSync(path.dirname(home.keyFile), { mode: 0o700 });
    const winner = randomKeyBase64();
    fs.writeFileSync(home.keyFile, `${winner}\n`, { mode: 0o600 });
    expect(createKeyFile(home.keyFile).keyId).toBe(keyIdOf(Buffer.from(winner, 'base64')));
    expect(fs.readFileSync(home.keyFile, 'utf8')).toBe(`${winner}\n`);
  });

  it('a damaged key file is a clear error, never silently replaced', () => {
    const home = ensureHome({ MAILMON_HOME: tempHome() });
    fs.mkdirSync(path.dirname(home.keyFile), { mode: 0o700 });
    fs.writeFileSync(home.keyFile, 'short\n', { mode: 0o600 });
    let caught: unknown;
    try {
      currentOrNewEncryptionKey(home, {});
    } catch (error) {
      caught = error;
    }
    expect(hasCode(caught, 'encryption_key_invalid')).toBe(true);
    expect((caught as Error).message).toContain(home.keyFile);
    expect(fs.readFileSync(home.keyFile, 'utf8')).toBe('short\n');
    expect(readKeyFile(path.join(path.dirname(home.keyFile), 'absent'))).toBeUndefined();
  });

  it('several processes creating it at once all end up with one key', async () => {
    const home = ensureHome({ MAILMON_HOME: tempHome() });
    const racers = Array.from({ length: 6 }, () =>
      spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/support/create-key-file.ts'), home.keyFile], { cwd: ROOT, stdio: 'pipe' }));
    await Promise.all(racers.map((child) => waitForLine(child, 'stdout', (line) => line === 'ready')));
    const answers = racers.map((child) => waitForLine(child, 'stdout', (line) => /^[0-9a-f]{16}$/.test(line)));
    for (const child of racers) child.stdin.write('go\n');
    const keyIds = await Promise.all(answers);
    const onDisk = readKeyFile(home.keyFile);
    expect(new Set(keyIds)).toEqual(new Set([onDisk?.keyId]));
    expect(mode(home.keyFile)).toBe('600');
    expect(fs.readdirSync(path.dirname(home.keyFile))).toEqual(['credentials.key']);
  });
});
