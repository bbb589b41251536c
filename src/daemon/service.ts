/** What the supervisor runs: a long-lived piece of the daemon that stops when its signal aborts. */
export interface Service { id: string; run(signal: AbortSignal): Promise<void>; stop(): Promise<void> }
