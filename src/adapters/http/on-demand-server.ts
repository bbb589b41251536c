/**
 * An HTTP server that listens at once but builds its request handler on the first request: the
 * port is taken (and its errors reported) when the process starts, while the handler's modules
 * and memory are paid only by a process that is actually asked something. A failed build answers
 * 500 and is retried by the next request. stop() stops accepting, closes the handler (which ends
 * its long-lived responses), and resolves once every connection has ended: a keep-alive
 * connection is closed as soon as its response is done, not kept until its idle timeout.
 */
import http from 'node:http';

export interface OnDemandHandler {
  handle(request: http.IncomingMessage, response: http.ServerResponse): void;
  close(): Promise<void>;
}

export interface OnDemandServerOptions {
  build: () => Promise<OnDemandHandler>;
  onBuildError: (error: unknown) => void;
  /** The JSON body of the 500 a request gets when the build failed. */
  failureBody: string;
  /** Idle keep-alive connections are closed after this long (the handler's own convention). */
  keepAliveTimeoutMs: number;
}

export interface OnDemandServer {
  readonly server: http.Server;
  listen(host: string, port: number): Promise<void>;
  /** Builds the handler now (for a process whose only job is to serve). */
  ready(): Promise<void>;
  /** Whether the handler has been built (or is being built). */
  built(): boolean;
  stop(): Promise<void>;
}

export function onDemandServer(options: OnDemandServerOptions): OnDemandServer {
  let handler: Promise<OnDemandHandler> | undefined;
  let stopping = false;
  const build = () => {
    handler ??= options.build().catch((error: unknown) => {
      handler = undefined;
      throw error;
    });
    return handler;
  };
  const server = http.createServer((request, response) => {
    // While stopping, a finished response frees its connection at once.
    response.on('finish', () => stopping && setImmediate(() => server.closeIdleConnections()));
    build().then((ready) => ready.handle(request, response), (error: unknown) => {
      options.onBuildError(error);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(options.failureBody);
    });
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs;
  server.requestTimeout = 0;
  return {
    server,
    listen: (host, port) => listenOn(server, host, port),
    ready: async () => void (await build()),
    built: () => handler !== undefined,
    async stop() {
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const ready = await handler?.catch(() => undefined);
      await ready?.close();
      server.closeIdleConnections();
      await closed;
    },
  };
}

function listenOn(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    server.once('error', failed);
    server.listen({ host, port }, () => {
      server.off('error', failed);
      resolve();
    });
  });
}
