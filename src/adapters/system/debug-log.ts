/**
 * Developer tracing on stderr through the `debug` package, one namespace per area:
 * mailmon:gmail (each Gmail call: method, status, ms, quota units, retry and its wait),
 * mailmon:oauth (token refreshes), mailmon:delivery (each webhook attempt), mailmon:lease.
 * Off unless DEBUG names them (DEBUG=mailmon:* or DEBUG=mailmon*) or a command runs with
 * --verbose; a disabled namespace costs one boolean check. Callers never pass tokens or secrets.
 * `debug` itself (and its colour detection) is loaded only once something may trace: DEBUG is
 * set or --verbose turned tracing on. Until then a trace is off and loads nothing.
 */
import { createRequire } from 'node:module';
import type createDebugType from 'debug';

type CreateDebug = typeof createDebugType;

export type Trace = (format: string, ...args: unknown[]) => void;

let createDebug: CreateDebug | undefined;
let tracingForced = false;
/**
 * DEBUG, read once: `debug` itself reads it once when it loads, and a trace is checked on every
 * webhook attempt (reading process.env is a call into C++ each time).
 */
let debugInEnv: boolean | undefined;

function debugModule(): CreateDebug | undefined {
  if (!createDebug && (tracingForced || (debugInEnv ??= Boolean(process.env.DEBUG)))) createDebug = createRequire(import.meta.url)('debug') as CreateDebug;
  return createDebug;
}

export function trace(area: 'gmail' | 'oauth' | 'delivery' | 'lease' | 'sync'): Trace & { enabled: boolean } {
  let instance: ReturnType<CreateDebug> | undefined;
  const current = () => (instance ??= debugModule()?.(`mailmon:${area}`));
  const log = ((format: string, ...args: unknown[]) => current()?.(format, ...args)) as Trace & { enabled: boolean };
  Object.defineProperty(log, 'enabled', { get: () => current()?.enabled ?? false });
  return log;
}

/** `--verbose`: turn on every mailmon namespace, keeping whatever DEBUG already enabled. */
export function enableTracing(): void {
  tracingForced = true;
  const debug = debugModule() as CreateDebug;
  const current = debug.disable();
  debug.enable(current ? `${current},mailmon:*` : 'mailmon:*');
}
