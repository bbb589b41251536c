/**
 * The daemon's control channel: HTTP with small JSON bodies over a unix socket
 * (MAILMON_HOME/run/daemon.sock, mode 0600 in a 0700 directory), so only the user can talk to it.
 * The server side routes `METHOD /path` to a handler; the client side is what the CLI uses to
 * ping, read live status, nudge a sync (optionally waiting for it) and ask for a shutdown.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { errorCatalog, MailmonError, type ErrorCode } from '../../core/errors.js';
import { errorBody } from '../../core/daemon-status.js';
import type { ControlChannel, ControlHandler, ControlResponse } from '../../app/ports/control-channel.js';

export { errorBody };
export type { ControlHandler, ControlRequest, ControlResponse } from '../../app/ports/control-channel.js';

export interface ControlServer {
  close(): Promise<void>;
}

/** The ControlChannel port on a unix socket. */
export function unixSocketChannel(socketPath: string): ControlChannel {
  return { address: socketPath, serve: (handler) => startControlServer(socketPath, handler) };
}

export async function startControlServer(socketPath: string, handler: ControlHandler): Promise<ControlServer> {
  fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  fs.chmodSync(path.dirname(socketPath), 0o700);
  // A socket left by a crashed daemon blocks listen(); the pid file already proved it is ours to replace.
  fs.rmSync(socketPath, { force: true });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: unknown = null;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        body = text ? JSON.parse(text) : null;
      } catch {
        reply(res, { status: 400, body: { error: { code: 'usage', message: 'Request body is not JSON.' } } });
        return;
      }
      handler({ method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0], body }).then(
        (response) => reply(res, response),
        (error: unknown) => reply(res, { status: 500, body: { error: errorBody(error) } }),
      );
    });
  });
  const umask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(umask);
  }
  fs.chmodSync(socketPath, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          fs.rmSync(socketPath, { force: true });
          resolve();
        });
      }),
  };
}

function reply(res: http.ServerResponse, response: ControlResponse): void {
  const text = JSON.stringify(response.body ?? null);
  res.writeHead(response.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** One request over the socket. Errors the daemon reports come back as MailmonErrors with its code. */
export function controlRequest<T>(socketPath: string, method: string, route: string, body?: unknown, timeoutMs = 5_000, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const req = http.request({ socketPath, method, path: route, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          reject(new MailmonError('daemon_failed', 'The daemon answered with something that is not JSON.', { hint: 'See "mailmon daemon logs".' }));
          return;
        }
        if ((res.statusCode ?? 500) >= 400) {
          const error = (parsed as { error?: { code?: string; message?: string; hint?: string } })?.error ?? {};
          reject(new MailmonError(error.code && error.code in errorCatalog ? (error.code as ErrorCode) : 'daemon_failed', error.message ?? `The daemon answered ${res.statusCode}.`, { hint: error.hint ?? 'See "mailmon daemon logs".' }));
          return;
        }
        resolve(parsed as T);
      });
    });
    req.on('timeout', () => req.destroy(new MailmonError('timeout', `The daemon did not answer within ${Math.round(timeoutMs / 1000)}s.`, { hint: 'See "mailmon daemon logs", or restart it with "mailmon daemon stop && mailmon daemon start".' })));
    req.on('error', (error) => reject(isMailmonErrorLike(error) ? error : new MailmonError('daemon_not_running', 'The daemon is not answering on its control socket.', { hint: 'Start it with "mailmon daemon start".', cause: error })));
    // The caller stops waiting (Ctrl-C): close the connection; the daemon carries on.
    const onAbort = () => req.destroy(isMailmonErrorLike(signal?.reason) ? (signal!.reason as Error) : new MailmonError('interrupted', 'Stopped waiting for the daemon.'));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    req.on('close', () => signal?.removeEventListener('abort', onAbort));
    req.end(payload);
  });
}

function isMailmonErrorLike(error: unknown): boolean {
  return (error as { isMailmonError?: boolean })?.isMailmonError === true;
}
