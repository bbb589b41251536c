/** Waiting in tests for something that happens in another process or later: poll until it is there. */

export type Probe<T> = () => Promise<T | undefined | null | false> | T | undefined | null | false;

/** Polls `probe` every `everyMs` until it returns a truthy value (returned), or fails naming `what` after `timeoutMs`. */
export type Until = <T>(what: string, probe: Probe<T>, timeoutMs?: number, everyMs?: number) => Promise<T>;

/** An `until` with a file's own default timeout and polling interval. */
export function untilWith(defaults: { timeoutMs: number; everyMs: number }): Until {
  return async <T>(what: string, probe: Probe<T>, timeoutMs = defaults.timeoutMs, everyMs = defaults.everyMs): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  };
}
