/**
 * The loopback redirect target of the OAuth installed-app flow: an HTTP server on 127.0.0.1
 * with a random free port that accepts exactly one callback, checks `state`, shows a clean
 * page in the browser, and always frees its port (on success, failure, timeout or Ctrl-C).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MailmonError } from '../../core/errors.js';
import { formatSpan } from '../../core/durations.js';

export interface LoopbackServer {
  redirectUri: string;
  /** Resolves with the authorization code; rejects on state mismatch, denial, timeout or abort. */
  waitForCode(options: { state: string; timeoutMs: number; signal?: AbortSignal }): Promise<string>;
  close(): Promise<void>;
}

const page = (title: string, body: string) => `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>
<style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:4rem auto;color:#222}h1{font-size:1.4rem}</style></head>
<body><h1>${title}</h1><p>${body}</p></body></html>`;

export async function startLoopbackServer(): Promise<LoopbackServer> {
  let onCallback: ((url: URL, response: http.ServerResponse) => void) | undefined;
  let cancelWait: (() => void) | undefined;
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/oauth2/callback' || !onCallback) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    onCallback(url, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closed = false;
  const close = () => {
    if (closed) return Promise.resolve();
    closed = true;
    cancelWait?.();
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    redirectUri: `http://127.0.0.1:${port}/oauth2/callback`,
    close,
    waitForCode: ({ state, timeoutMs, signal }) =>
      new Promise<string>((resolve, reject) => {
        const finish = (error: MailmonError | null, code?: string) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          onCallback = undefined;
          cancelWait = undefined;
          if (error) reject(error);
          else resolve(code!);
        };
        const timer = setTimeout(() => finish(new MailmonError('oauth_timeout', `No answer from the browser within ${formatSpan(Math.max(60_000, timeoutMs))}.`, { hint: 'Run "mailmon login" again and complete the sign-in in the browser.' })), timeoutMs);
        const onAbort = () => finish(new MailmonError('interrupted', 'Login cancelled.', { hint: 'Nothing was saved. Run "mailmon login" to try again.' }));
        signal?.addEventListener('abort', onAbort, { once: true });
        cancelWait = () => finish(new MailmonError('interrupted', 'Login stopped before the browser answered.', { hint: 'Run "mailmon login" again.' }));
        onCallback = (url, response) => {
          const send = (status: number, title: string, body: string) => response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', connection: 'close' }).end(page(title, body));
          if (url.searchParams.get('state') !== state) {
            send(400, 'Sign-in failed', 'The answer did not match this login attempt (state mismatch). Close this tab and run <code>mailmon login</code> again.');
            finish(new MailmonError('oauth_state_mismatch', 'The authorization answer did not match this login attempt (state mismatch); it was rejected.', { hint: 'Run "mailmon login" again. If it keeps happening, something else is answering on the redirect URL.' }));
            return;
          }
          const error = url.searchParams.get('error');
          if (error) {
            send(200, 'Sign-in cancelled', 'mailmon was not given access. You can close this tab.');
            finish(error === 'access_denied'
              ? new MailmonError('oauth_denied', 'Access was denied in the browser, so no mailbox was connected.', { hint: 'Run "mailmon login" again and choose Allow to connect the mailbox.' })
              : new MailmonError('oauth_failed', `Google answered "${error}" instead of an authorization.`, { hint: 'Run "mailmon login" again; check the OAuth client settings if it persists.' }));
            return;
          }
          const code = url.searchParams.get('code');
          if (!code) {
            send(400, 'Sign-in failed', 'No authorization code was received. Close this tab and run <code>mailmon login</code> again.');
            finish(new MailmonError('oauth_failed', 'The browser came back without an authorization code.', { hint: 'Run "mailmon login" again.' }));
            return;
          }
          send(200, 'Signed in to mailmon', 'mailmon can now sync this mailbox. You can close this tab and return to the terminal.');
          finish(null, code);
        };
      }),
  };
}
