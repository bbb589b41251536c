/**
 * How many mailboxes one daemon of several sharing a store should hold, and which to take or
 * give back — without a coordinator. Every daemon runs the same rule on what it sees (the live
 * daemons by heartbeat, the mailboxes, which of them it holds, which are free):
 * - its share is ceil(mailboxes / live daemons), so the shares always cover every mailbox;
 * - below its share it claims free mailboxes (in a random order, so daemons starting together
 *   do not all race for the same ones);
 * - above it (a daemon joined) it gives back the excess, never one it is syncing right now.
 * So 3 daemons on 300 mailboxes settle at 100 each, and when one dies the others' shares grow
 * once its heartbeat is older than the liveness period, and its expired leases are claimed.
 * Pure: no I/O, no clock of its own.
 */

export interface ShareView {
  /** Mailboxes that should be synced (active or pending). */
  mailboxes: readonly string[];
  /** Live daemons sharing the store, this one included (at least 1 is assumed). */
  liveDaemons: number;
  /** The mailboxes this daemon holds now. */
  held: readonly string[];
  /** Mailboxes no daemon holds (or whose lease expired). */
  free: readonly string[];
  /** Held mailboxes syncing right now: never given back. */
  busy?: ReadonlySet<string>;
}

export interface SharePlan {
  share: number;
  /** The free mailboxes to claim, up to the share. */
  claim: string[];
  /**
   * Every free mailbox it may claim, in the order to try them (`claim` first): another daemon
   * may have taken one since the view was read, and the next one stands in for it.
   */
  candidates: string[];
  release: string[];
}

/** ceil(mailboxes / daemons), with at least one daemon. */
export function fairShare(mailboxCount: number, liveDaemons: number): number {
  return Math.ceil(mailboxCount / Math.max(1, liveDaemons));
}

/** How many daemons are alive: a heartbeat newer than `livenessMs` before `now`. */
export function countLive(heartbeats: readonly number[], now: number, livenessMs: number): number {
  return heartbeats.filter((at) => now - at <= livenessMs).length;
}

export function planShare(view: ShareView, random: () => number = Math.random): SharePlan {
  const wanted = new Set(view.mailboxes);
  const share = fairShare(wanted.size, view.liveDaemons);
  // A held mailbox that was removed or paused is given back whatever the share.
  const gone = view.held.filter((id) => !wanted.has(id));
  const kept = view.held.filter((id) => wanted.has(id));
  const excess = Math.max(0, kept.length - share);
  const releasable = kept.filter((id) => !view.busy?.has(id));
  const release = [...gone, ...releasable.slice(releasable.length - Math.min(excess, releasable.length))];
  const heldSet = new Set(view.held);
  const candidates = shuffle(view.free.filter((id) => wanted.has(id) && !heldSet.has(id)), random);
  const claim = candidates.slice(0, Math.max(0, share - kept.length));
  return { share, claim, candidates, release };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other], copy[index]];
  }
  return copy;
}
