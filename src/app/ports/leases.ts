/**
 * One lease per mailbox: at most one holder at a time. Acquiring bumps the mailbox's fencing
 * epoch (through the Mailboxes port), and every sync commit is conditional on that epoch, so a
 * holder that lost its lease can never commit. A holder keeps its lease alive by itself while it
 * holds it; if it stalls past the stale period another acquirer may take it over, and the old
 * holder's `signal` aborts.
 */
export interface LeaseHolder {
  /** Who holds it, for people (`status`, errors): opaque to the use cases. */
  owner: string;
  purpose: string;
  acquiredAt: number;
  /** null while the holder is between taking the lease and bumping the epoch. */
  epoch: number | null;
}

export interface HeldLease {
  readonly mailboxId: string;
  readonly epoch: number;
  /** Aborts (with a lease_lost error as its reason) when the lease was lost. */
  readonly signal: AbortSignal;
  /**
   * Until when (clock ms) the store keeps the lease for this holder whatever happens: the send
   * time of its last successful renewal plus the stale period. A holder stalled past it (a paused
   * or blocked process) learns of the loss later, but its hold ended then. Absent: not known.
   */
  readonly keptUntil?: () => number;
  release(): Promise<void>;
}

export interface AcquireOptions {
  /** What the lease is for (shown to others): "sync", "verify". */
  purpose?: string;
  /** How long to wait for another holder; 0 (default): lease_held at once. */
  waitMs?: number;
  /** A holder silent for longer than this may be taken over. */
  staleMs?: number;
  /** Stops waiting (lease_held). */
  signal?: AbortSignal;
}

export interface Leases {
  /** A new fencing epoch with the lease; lease_held when another holder keeps it past `waitMs`. */
  acquire(mailboxId: string, options?: AcquireOptions): Promise<HeldLease>;
  holder(mailboxId: string): Promise<LeaseHolder | null>;
  /** Every held lease. */
  list(): Promise<Array<{ mailboxId: string; holder: LeaseHolder | null }>>;
  /** Removes leases whose holder is known to be gone. Returns their mailbox ids. */
  removeDead(): Promise<string[]>;
  /** Removes leases whose holder stopped renewing for the stale period (or is gone). Returns their mailbox ids. */
  removeExpired(staleMs?: number): Promise<string[]>;
  /** On shutdown: releases every lease this process still holds. Returns their mailbox ids. */
  releaseOwn(): Promise<string[]>;
}
