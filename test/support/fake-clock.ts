/** A clock tests move by hand: `sleep` resolves when `advance` passes its time, never on its own. */
export class FakeClock {
  private sleepers: Array<{ at: number; resolve: () => void }> = [];

  constructor(private current = Date.now()) {}

  now = (): number => this.current;

  sleep = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      if (signal.aborted || ms <= 0) return resolve();
      const entry = { at: this.current + ms, resolve };
      this.sleepers.push(entry);
      signal.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((candidate) => candidate !== entry);
        resolve();
      }, { once: true });
    });

  advance(ms: number): void {
    this.set(this.current + ms);
  }

  set(at: number): void {
    this.current = Math.max(this.current, at);
    const due = this.sleepers.filter((entry) => entry.at <= this.current);
    this.sleepers = this.sleepers.filter((entry) => entry.at > this.current);
    for (const entry of due) entry.resolve();
  }
}
