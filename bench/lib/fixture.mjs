/**
 * The fixture Gmail server as its own process (`mailmon fixtures serve --json`), so it never
 * shares an event loop with what is measured. Also a tiny client for its control API.
 */
import { spawn } from 'node:child_process';
import { CLI, ROOT, cliEnv, tempHome } from './proc.mjs';

/** Starts a server; resolves when its first stdout line says `{"ready":true,…}`. */
export function startFixture({ messages, seed = 7, quota = false, emails = [], latencyMs } = {}) {
  const args = [CLI, 'fixtures', 'serve', '--port', '0', '--messages', String(messages), '--seed', String(seed), '--json'];
  if (quota === false) args.push('--no-quota');
  else if (typeof quota === 'number') args.push('--quota', String(quota));
  for (const email of emails) args.push('--email', email);
  if (latencyMs) args.push('--latency', String(latencyMs));
  const child = spawn(process.execPath, args, { cwd: ROOT, env: cliEnv(tempHome('mailmon-bench-fixture-')), stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let buffer = '';
    let stderr = '';
    const timer = setTimeout(() => fail(new Error(`fixture server not ready after 180 s: ${stderr}`)), 180_000);
    const fail = (error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => fail(new Error(`fixture server exited ${code}: ${stderr}`)));
    child.stdout.setEncoding('utf8').on('data', function onData(chunk) {
      buffer += chunk;
      const index = buffer.indexOf('\n');
      if (index < 0) return;
      child.stdout.off('data', onData);
      child.stdout.resume();
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const ready = JSON.parse(buffer.slice(0, index));
      if (!ready.ready) return fail(new Error(`unexpected first line: ${buffer}`));
      resolve({
        url: ready.url,
        info: ready,
        pid: child.pid,
        control: controlClient(ready.url, ready.controlToken),
        stop: () => new Promise((done) => {
          if (child.exitCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
      });
    });
  });
}

/** The control API needs the server's token (the ready line's controlToken). */
export function controlClient(base, token) {
  const call = async (method, op, body) => {
    const response = await globalThis.fetch(`${base}__fixture/${op}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`fixture ${op} → ${response.status}: ${text}`);
    return JSON.parse(text);
  };
  return {
    get: (op) => call('GET', op),
    post: (op, body = {}) => call('POST', op, body),
  };
}
