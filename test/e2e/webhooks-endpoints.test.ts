import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/core/signatures.js';
import { parseJson, runCli, tempHome } from '../support/cli.js';
import { startServer, type TestServer } from '../support/http-server.js';

describe('webhooks endpoints through the built CLI', () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('a failed verification challenge refuses the add with the reason', async () => {
    const server = await startServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"challenge":"not it"}'));
    servers.push(server);
    const home = tempHome();
    const result = await runCli(['webhooks', 'add', `${server.url}/hook`], { home });
    expect(result.exitCode).toBe(10);
    expect(result.stderr).toContain('did not pass the verification challenge: HTTP 200 but the body does not echo the challenge');
    expect(result.stderr).toContain('--skip-verification');
    expect(server.requests).toHaveLength(1);
    expect(JSON.parse(server.requests[0].body)).toMatchObject({ type: 'webhook.verification', challenge: expect.any(String), timestamp: expect.any(String) });
    const list = await runCli(['webhooks', 'list', '--json'], { home });
    expect(parseJson(list.stdout)).toEqual([]);

    const refused = await runCli(['webhooks', 'add', 'http://127.0.0.1:9/down'], { home });
    expect(refused.exitCode).toBe(10);
    expect(refused.stderr).toMatch(/verification challenge: Connection refused/);
  });

  it('add (verified, signed), list, test, secret, deliveries, disable/enable, remove', async () => {
    const server = await startServer((request, response) => {
      const body = JSON.parse(request.body) as { type: string; challenge?: string };
      response.writeHead(200, { 'content-type': 'application/json' }).end(body.type === 'webhook.verification' ? JSON.stringify({ challenge: body.challenge }) : '{"pong":true}');
    });
    servers.push(server);
    const home = tempHome();
    const add = await runCli(['webhooks', 'add', `${server.url}/hook`, '--events', 'message.*', '--header', 'X-Env:test', '--json'], { home });
    expect(add.exitCode, add.stderr).toBe(0);
    const added = parseJson<{ id: string; secret: string; verified: boolean; events: string[] }>(add.stdout);
    expect(added).toMatchObject({ id: expect.stringMatching(/^whe_/), secret: expect.stringMatching(/^whsec_/), verified: true, events: ['message.*'] });
    const challenge = server.requests[0];
    expect(challenge.headers['x-env']).toBe('test');
    expect(verifySignature({ payload: challenge.body, header: challenge.headers['x-mailmon-signature'] as string, secret: added.secret, now: Math.floor(Date.now() / 1000) })).toBe(true);
    expect(new Webhook(added.secret).verify(challenge.body, challenge.headers as Record<string, string>)).toMatchObject({ type: 'webhook.verification' });

    const list = parseJson<Array<{ id: string; health: string; enabled: boolean; pending: number }>>((await runCli(['webhooks', 'list', '--json'], { home })).stdout);
    expect(list).toMatchObject([{ id: added.id, health: 'active', enabled: true, pending: 0 }]);

    const test = await runCli(['webhooks', 'test', added.id], { home });
    expect(test.exitCode, test.stderr).toBe(0);
    expect(test.stdout).toMatch(/^200 {2}POST .* \d+ ms/);
    expect(test.stdout).toContain('{"pong":true}');
    expect(JSON.parse(server.requests[1].body)).toMatchObject({ type: 'webhook.test' });

    const secret = parseJson<{ secret: string }>((await runCli(['webhooks', 'secret', added.id, '--json'], { home })).stdout);
    expect(secret.secret).toBe(added.secret);
    const deliveries = parseJson<Array<{ kind: string; status: string; responseStatus: number }>>((await runCli(['deliveries', 'list', '--json'], { home })).stdout);
    expect(deliveries).toMatchObject([{ kind: 'test', status: 'succeeded', responseStatus: 200 }]);

    const disabled = await runCli(['webhooks', 'disable', added.id], { home });
    expect(disabled.stdout).toContain('is disabled');
    const shown = await runCli(['webhooks', 'show', added.id], { home });
    expect(shown.stdout).toMatch(/active → disabled: disabled by command/);
    expect((await runCli(['webhooks', 'enable', added.id], { home })).stdout).toContain('is enabled');

    const removed = await runCli(['webhooks', 'remove', added.id, '--yes'], { home });
    expect(removed.exitCode).toBe(0);
    const missing = await runCli(['webhooks', 'show', added.id], { home });
    expect(missing.exitCode).toBe(8);
    expect(missing.stderr).toContain(`No webhook endpoint ${added.id}`);
  });
});
