/**
 * A setting a long-running service reads at each use rather than once: the daemon passes a
 * function over its reloadable config, so a `mailmon config set` takes effect without a
 * restart; one-shot callers and tests pass the plain value.
 */
export type Live<T> = T | (() => T);

export function current<T extends number | readonly number[]>(value: Live<T>): T {
  return typeof value === 'function' ? value() : value;
}
