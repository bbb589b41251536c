import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/index.js';
import { CLI, ROOT, cliEnv, parseJson, runCli, tempHome } from '../support/cli.js';
import { sampleEvents } from '../support/sample-events.js';

const secret = 'whsec_' + Buffer.alloc(32, 42).toString('base64');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-sign-'));
const eventFile = path.join(dir, 'event.json');
const body = JSON.stringify(sampleEvents['message.updated']);
fs.writeFileSync(eventFile, body);

describe('mailmon webhooks sign | verify', () => {
  it('sign prints headers that verify accepts (a real shell pipeline)', () => {
    const home = tempHome();
    const script = `H=$(node "${CLI}" webhooks sign --payload-file "${eventFile}") && cat "${eventFile}" | node "${CLI}" webhooks verify --payload-file - --header "$H"`;
    const result = spawnSync('sh', ['-c', script], { env: cliEnv({ home, env: { MAILMON_WEBHOOK_SECRET: secret } }), encoding: 'utf8', cwd: ROOT });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('✓ Valid x-mailmon-signature');
    expect(result.stdout).toContain(`✓ Valid Standard Webhooks (id ${sampleEvents['message.updated'].id})`);
  });

  it('sign --json gives headers that the exported verifySignature and standardwebhooks accept', async () => {
    const result = await runCli(['webhooks', 'sign', '--secret', secret, '--payload-file', eventFile, '--json'], { home: tempHome() });
    expect(result.exitCode, result.stderr).toBe(0);
    const signed = parseJson<{ timestamp: number; id: string; headers: Record<string, string> }>(result.stdout);
    expect(signed.id).toBe(sampleEvents['message.updated'].id);
    expect(signed.headers).toMatchObject({ 'content-type': 'application/json', 'x-mailmon-event-id': signed.id, 'x-mailmon-event-type': 'message.updated' });
    expect(verifySignature({ payload: body, header: signed.headers['x-mailmon-signature'], secret })).toBe(true);
    expect(new Webhook(secret).verify(body, signed.headers)).toEqual(sampleEvents['message.updated']);
  });

  it('sign is deterministic given --timestamp and --id, and reads stdin', async () => {
    const args = ['webhooks', 'sign', '--secret', secret, '--timestamp', '1777888999', '--id', 'msg_custom'];
    const fromFile = await runCli([...args, '--payload-file', eventFile], { home: tempHome() });
    const fromStdin = await runCli(args, { home: tempHome(), input: body });
    expect(fromFile.exitCode, fromFile.stderr).toBe(0);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
    expect(fromFile.stdout).toContain('x-mailmon-signature: t=1777888999,v1=');
    expect(fromFile.stdout).toContain('webhook-id: msg_custom\n');
  });

  it('verify rejects a tampered body, a wrong secret and a stale timestamp with one clear line each', async () => {
    const stale = execFileSync(process.execPath, [CLI, 'webhooks', 'sign', '--secret', secret, '--payload-file', eventFile, '--timestamp', '1000000000'], { env: cliEnv({ home: tempHome() }), encoding: 'utf8' });
    const header = stale.split('\n').find((line) => line.startsWith('x-mailmon-signature: '))!;
    const verify = (extra: string[], input: string) => runCli(['webhooks', 'verify', '--header', header, ...extra], { home: tempHome(), input });

    const tampered = await verify(['--secret', secret, '--tolerance', '0'], body.replace('Hello', 'Hellp'));
    expect(tampered.exitCode).toBe(1);
    expect(tampered.stdout).toBe('');
    expect(tampered.stderr).toMatch(/^Error: Invalid signature: No signature in the header matches/);
    expect(tampered.stderr.trim().split('\n')).toHaveLength(2);

    const wrongSecret = await verify(['--secret', 'whsec_' + Buffer.alloc(32, 1).toString('base64'), '--tolerance', '0', '--json'], body);
    expect(wrongSecret.exitCode).toBe(1);
    expect(parseJson<{ error: { code: string; reason: string } }>(wrongSecret.stdout).error).toMatchObject({ code: 'signature_invalid', reason: 'no_matching_signature' });

    const old = await verify(['--secret', secret, '--json'], body);
    expect(old.exitCode).toBe(1);
    expect(parseJson<{ error: { reason: string; hint: string } }>(old.stdout).error).toMatchObject({ reason: 'timestamp_outside_tolerance', hint: expect.stringContaining('--tolerance') });

    const accepted = await verify(['--secret', secret, '--tolerance', '0', '--json'], body);
    expect(accepted.exitCode, accepted.stderr).toBe(0);
    expect(parseJson(accepted.stdout)).toEqual({ valid: true, schemes: [{ scheme: 'mailmon', timestamp: 1_000_000_000, ageSeconds: expect.any(Number) }] });
  });

  it('verify explains malformed headers, and a missing or invalid secret', async () => {
    const malformed = await runCli(['webhooks', 'verify', '--secret', secret, '--header', 'v1=abc', '--json'], { home: tempHome(), input: body });
    expect(malformed.exitCode).toBe(1);
    expect(parseJson<{ error: { reason: string } }>(malformed.stdout).error.reason).toBe('malformed_header');

    const noSecret = await runCli(['webhooks', 'verify', '--header', 't=1,v1=00'], { home: tempHome(), input: body });
    expect(noSecret.exitCode).toBe(2);
    expect(noSecret.stderr).toContain('No signing secret given.');
    expect(noSecret.stderr).toContain('MAILMON_WEBHOOK_SECRET');

    const badEnvSecret = await runCli(['webhooks', 'sign'], { home: tempHome(), input: body, env: { MAILMON_WEBHOOK_SECRET: 'hunter2' } });
    expect(badEnvSecret.exitCode).toBe(2);
    expect(badEnvSecret.stderr).toContain('The signing secret from MAILMON_WEBHOOK_SECRET is not a mailmon secret.');
    expect(badEnvSecret.stderr).not.toContain('hunter2');

    const missingFile = await runCli(['webhooks', 'sign', '--secret', secret, '--payload-file', path.join(dir, 'nope.json')], { home: tempHome() });
    expect(missingFile.exitCode).toBe(8);
    expect(missingFile.stderr).toContain('No such file');
  });
});

describe('the mailmon package entry', () => {
  it('imports without loading oclif, SQLite, undici or ink', () => {
    const trace = path.join(dir, 'imports.txt');
    const script = "const m = await import('mailmon'); if (typeof m.verifySignature !== 'function' || typeof m.constructEvent !== 'function' || !m.eventJsonSchema || m.EVENT_TYPES.length !== 6) process.exit(3);";
    const result = spawnSync(process.execPath, ['--import', path.join(ROOT, 'test/support/trace-imports.mjs'), '--input-type=module', '-e', script], {
      cwd: ROOT, env: { ...cliEnv(), MAILMON_TRACE_FILE: trace }, encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    const loaded = fs.readFileSync(trace, 'utf8');
    expect(loaded).toContain('dist/src/index.js');
    for (const heavy of ['@oclif/', 'better-sqlite3', 'drizzle-orm', '/undici/', '/ink/', '/react/']) expect(loaded, heavy).not.toContain(heavy);
  });
});
