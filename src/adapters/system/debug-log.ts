/**
 * Developer tracing on stderr through the `debug` package, one namespace per area:
 * mailmon:gmail (each Gmail call: method, status, ms, quota units, retry and its wait),
 * mailmon:oauth (token refreshes), mailmon:delivery (each webhook attempt), mailmon:lease.
 * Off unless DEBUG names them (DEBUG=mailmon:* or DEBUG=mailmon*) or a command runs with
 * --verbose; a disabled namespace costs one boolean check. Callers never pass tokens or secrets.
 */
import createDebug from 'debug';

export type Trace = (format: string, ...args: unknown[]) => void;

export function trace(area: 'gmail' | 'oauth' | 'delivery' | 'lease' | 'sync'): Trace & { enabled: boolean } {
  return createDebug(`mailmon:${area}`);
}

/** `--verbose`: turn on every mailmon namespace, keeping whatever DEBUG already enabled. */
export function enableTracing(): void {
  const current = createDebug.disable();
  createDebug.enable(current ? `${current},mailmon:*` : 'mailmon:*');
}
