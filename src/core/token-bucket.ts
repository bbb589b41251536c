/**
 * A token bucket that hands out reservations: `reserve(cost, now)` returns how long the caller
 * must wait before spending. Reserving (tokens may go negative) keeps concurrent callers fair
 * and FIFO. The burst is kept well below the rate so that a server-side bucket of the same
 * rate is never drained by request bunching. Pure: time is an input.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(readonly ratePerSecond: number, readonly burst: number, now: number) {
    this.tokens = burst;
    this.last = now;
  }

  reserve(cost: number, now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
    this.last = now;
    this.tokens -= cost;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.ratePerSecond);
  }
}
