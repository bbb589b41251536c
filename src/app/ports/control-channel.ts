/**
 * The daemon's control channel as its services see it: requests in, JSON answers out. Only
 * processes of the same user on the same machine can reach it (a private unix socket today).
 */
export interface ControlRequest {
  method: string;
  path: string;
  body: unknown;
}

export interface ControlResponse {
  status: number;
  body: unknown;
}

export type ControlHandler = (request: ControlRequest) => Promise<ControlResponse>;

export interface ControlChannel {
  /** Where it listens, as shown in the log. */
  readonly address: string;
  /** Resolves once requests are accepted; `close` stops accepting and ends open connections. */
  serve(handler: ControlHandler): Promise<{ close(): Promise<void> }>;
}
