/**
 * Issue 14, "Like stripe listen", through the built CLI: `listen` without --forward-to prints the
 * events (one line each, NDJSON under --json) with a one-line note on stderr; `--skip-verify`
 * lets listen and replay deliver to an https app with a self-signed certificate (a real HTTPS
 * server on 127.0.0.1), and without it the certificate is still refused.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { ROOT, parseJson, parseJsonLines, runCli, startCli, tempHome, waitForLine } from '../support/cli.js';
import { verifySignature } from '../../src/core/signatures.js';

/** A fresh self-signed pair from openssl when it is installed, else the committed test-only pair. */
function selfSignedPair(): { key: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    return { key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  } catch {
    const fixtures = path.join(ROOT, 'test', 'fixtures', 'tls');
    return { key: fs.readFileSync(path.join(fixtures, 'localhost-key.pem'), 'utf8'), cert: fs.readFileSync(path.join(fixtures, 'localhost-cert.pem'), 'utf8') };
  }
}

interface HttpsReceiver {
  url: string;
  bodies: Array<{ body: string; signature: string }>;
  close: () => Promise<void>;
}

async function startHttpsReceiver(): Promise<HttpsReceiver> {
  const bodies: HttpsReceiver['bodies'] = [];
  const server = https.createServer(selfSignedPair(), (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(request.headers['x-mailmon-signature']) });
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/hook`,
    bodies,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describe('listen like stripe listen (built CLI)', () => {
  const children: ChildProcessWithoutNullStreams[] = [];
  let home: string;
  let fixtureUrl: string;

  beforeAll(async () => {
    // One home with a synced fixture mailbox: its initial sync put events in the log.
    home = tempHome();
    const serve = startCli(['fixtures', 'serve', '--json', '--port', '0', '--messages', '5', '--seed', '9'], { home });
    children.push(serve);
    fixtureUrl = parseJson<{ url: string }>(await waitForLine(serve, 'stdout', (line) => line.trim() !== '')).url;
    const login = await runCli(['login', '--fixture', fixtureUrl], { home });
    expect(login.exitCode, login.stderr).toBe(0);
    const sync = await runCli(['sync'], { home });
    expect(sync.exitCode, sync.stderr).toBe(0);
  });

  afterEach(() => {
    for (const child of children.splice(1)) if (child.exitCode === null) child.kill('SIGKILL');
  });
  afterAll(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('without --forward-to, prints each new event as NDJSON under --json (syncing in-process), with one note line on stderr', async () => {
    const listen = startCli(['listen', '--json', '--exit-after', '2', '--timeout', '60', '--poll-interval', '1s'], { home });
    children.push(listen);
    let stdout = '';
    let stderr = '';
    listen.stdout.on('data', (chunk) => (stdout += chunk));
    listen.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => listen.once('exit', resolve));
    await waitForLine(listen, 'stderr', (line) => line.includes('No --forward-to'));
    expect((await runCli(['trigger', 'message.created', '--override', 'subject=Printed, not posted'], { home })).exitCode).toBe(0);
    expect(await exited, stderr).toBe(0);
    const events = parseJsonLines<{ type: string; data: { subject?: string } }>(stdout);
    expect(events.map((event) => event.type).sort()).toEqual(['message.created', 'thread.updated']);
    expect(events.find((event) => event.type === 'message.created')!.data.subject).toBe('Printed, not posted');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^No --forward-to: printing .* like "mailmon tail"/);
  }, 150_000);

  it('without --forward-to and without --json, prints one line per event like tail', async () => {
    const printed = await runCli(['listen', '--from-start', '--no-sync', '--exit-after', '2', '--timeout', '20'], { home });
    expect(printed.exitCode, printed.stderr).toBe(0);
    const lines = printed.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^\d{2}:\d{2}:\d{2} {2}[a-z]+\.[a-z_]+ +dev@mailmon\.test {2}/);
  }, 120_000);

  it('--skip-verify delivers to a self-signed https app (listen and replay); without it the certificate is refused', async () => {
    const app = await startHttpsReceiver();
    const secret = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
    try {
      const refused = await runCli(['listen', '--forward-to', app.url, '--from-start', '--no-sync', '--exit-after', '1', '--timeout', '4', '--secret', secret, '--name', 'tls-refused', '--json'], { home });
      expect(refused.exitCode).not.toBe(0);
      expect(refused.stdout).toMatch(/"errorClass":"tls"/);
      expect(app.bodies).toHaveLength(0);

      const listened = await runCli(['listen', '--forward-to', app.url, '--from-start', '--no-sync', '--exit-after', '1', '--timeout', '20', '--secret', secret, '--name', 'tls-skip', '--max-in-flight', '1', '--skip-verify', '--json'], { home });
      expect(listened.exitCode, listened.stderr + listened.stdout).toBe(0);
      expect(listened.stderr).toContain('--skip-verify: TLS certificates are not verified');
      expect(app.bodies).toHaveLength(1);
      expect(verifySignature({ payload: app.bodies[0].body, header: app.bodies[0].signature, secret, now: Math.floor(Date.now() / 1000) })).toBe(true);

      const replayRefused = await runCli(['replay', '--last', '1h', '--forward-to', app.url, '--max-attempts', '1', '--secret', secret], { home });
      expect(replayRefused.exitCode).not.toBe(0);
      expect(app.bodies).toHaveLength(1);
      const replayed = await runCli(['replay', '--last', '1h', '--forward-to', app.url, '--max-attempts', '1', '--secret', secret, '--skip-verify', '--json'], { home });
      expect(replayed.exitCode, replayed.stderr).toBe(0);
      expect(parseJsonLines<{ type?: string; failed?: number }>(replayed.stdout).at(-1)).toMatchObject({ type: 'summary', failed: 0 });
      expect(app.bodies.length).toBeGreaterThan(1);
    } finally {
      await app.close();
    }
  }, 150_000);
});
