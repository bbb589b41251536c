/**
 * The daemons sharing a store, by heartbeat: how a daemon learns how many others are alive
 * (to take its fair share of the mailboxes) and how `status`/`doctor` name a lease's holder.
 * A member is identified by its holder id (host:pid:random, also the owner of its leases).
 * On a store only one daemon can use (SQLite), the implementation knows just the caller.
 */
export interface DaemonMember {
  holderId: string;
  host: string;
  pid: number;
  startedAt: number;
  /** The member's own clock at its last heartbeat (epoch ms). */
  heartbeatAt: number;
}

export interface Daemons {
  /** Adds (or refreshes) a member; a heartbeat of a member that was removed adds it again. */
  heartbeat(member: DaemonMember): Promise<void>;
  /** Members whose heartbeat is at most `livenessMs` older than `now`. */
  live(now: number, livenessMs: number): Promise<DaemonMember[]>;
  /** Every member still recorded, live or not. */
  list(): Promise<DaemonMember[]>;
  /** On shutdown: the member is gone at once (the others' shares grow without waiting). */
  leave(holderId: string): Promise<void>;
  /** Removes members silent for longer than `olderThanMs` before `now`; returns their holder ids. */
  prune(now: number, olderThanMs: number): Promise<string[]>;
  /** The store's own clock (epoch ms), to measure a machine's clock skew against it. */
  storeTime(): Promise<number>;
}
