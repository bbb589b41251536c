import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { onDemandServer, type OnDemandServer } from '../../src/adapters/http/on-demand-server.js';

const FAILURE = JSON.stringify({ error: { code: 'internal' } });
let current: OnDemandServer | undefined;

afterEach(async () => {
  await current?.stop();
  current = undefined;
});

function start(build: () => Promise<{ handle: (req: http.IncomingMessage, res: http.ServerResponse) => void; close: () => Promise<void> }>, errors: unknown[] = []) {
  current = onDemandServer({ build, onBuildError: (error) => errors.push(error), failureBody: FAILURE, keepAliveTimeoutMs: 72_000 });
  return current;
}

const urlOf = (server: OnDemandServer) => `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/`;

describe('onDemandServer', () => {
  it('listens before building, builds once on the first request, and routes every request to the handler', async () => {
    let builds = 0;
    const server = start(async () => {
      builds += 1;
      return { handle: (_req, res) => res.end('handled'), close: async () => undefined };
    });
    await server.listen('127.0.0.1', 0);
    expect(server.built()).toBe(false);
    expect(await (await fetch(urlOf(server))).text()).toBe('handled');
    expect(await (await fetch(urlOf(server))).text()).toBe('handled');
    expect(builds).toBe(1);
  });

  it('answers 500 with the failure body when the build fails, reports it, and builds again on the next request', async () => {
    const errors: unknown[] = [];
    let attempts = 0;
    const server = start(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('no routes');
      return { handle: (_req, res) => res.end('second'), close: async () => undefined };
    }, errors);
    await server.listen('127.0.0.1', 0);
    const failed = await fetch(urlOf(server));
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe(FAILURE);
    expect(errors).toHaveLength(1);
    expect(await (await fetch(urlOf(server))).text()).toBe('second');
  });

  it('stop() closes the handler and ends a keep-alive connection as soon as its response is done', async () => {
    let closed = false;
    let arrived: () => void = () => undefined;
    const handling = new Promise<void>((resolve) => (arrived = resolve));
    const server = start(async () => ({
      handle: (_req, res) => {
        arrived();
        setTimeout(() => res.end('slow'), 300);
      },
      close: async () => void (closed = true),
    }));
    await server.listen('127.0.0.1', 0);
    const agent = new http.Agent({ keepAlive: true });
    const body = new Promise<string>((resolve) => http.get(urlOf(server), { agent }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk)).on('end', () => resolve(text));
    }));
    // Stopped while the response is in flight (a fixed 100 ms was sometimes before the request arrived, under load).
    await handling;
    const startedAt = Date.now();
    await server.stop();
    current = undefined;
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(await body).toBe('slow');
    expect(closed).toBe(true);
    agent.destroy();
  });

  it('reports a port in use as the listen error', async () => {
    const first = onDemandServer({ build: async () => ({ handle: () => undefined, close: async () => undefined }), onBuildError: () => undefined, failureBody: FAILURE, keepAliveTimeoutMs: 1_000 });
    await first.listen('127.0.0.1', 0);
    const port = (first.server.address() as AddressInfo).port;
    const second = start(async () => ({ handle: () => undefined, close: async () => undefined }));
    await expect(second.listen('127.0.0.1', port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    current = undefined;
    await first.stop();
  });
});
