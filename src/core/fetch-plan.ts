/**
 * Which Gmail call fetches which messages. `messages.get` costs 5 quota units per
 * message; `threads.get` costs 10 and answers every message of the thread, in the same format and
 * `fields` mask. So a thread with 3 or more messages to fetch is cheaper as one `threads.get`, and
 * a thread with 1 or 2 as `messages.get` each: Σ min(10, 5·n) units instead of Σ 5·n. Pure.
 */

/** From this many messages of one thread on, one threads.get is cheaper than a messages.get each. */
export const THREAD_FETCH_MIN = 3;

export interface FetchTarget {
  id: string;
  threadId: string | null;
  /** Added inside the history run being applied: may be briefly unfetchable, so retried. */
  addedInRun: boolean;
}

export type FetchCall =
  | { call: 'threads.get'; threadId: string; targets: FetchTarget[] }
  | { call: 'messages.get'; threadId: string | null; targets: FetchTarget[] };

/**
 * Groups targets by thread (in first-seen order) and picks the cheaper call for each thread.
 * `later` counts each thread's messages known to come next (the next list page, during a full
 * sync): a threads.get now also answers for them, so they count towards the threshold.
 */
export function planFetches(targets: readonly FetchTarget[], byThread: boolean, later: ReadonlyMap<string, number> = new Map()): FetchCall[] {
  const groups = new Map<string | null, FetchTarget[]>();
  const loose: FetchCall[] = [];
  for (const target of targets) {
    // A message without a known thread is fetched alone.
    if (target.threadId === null) {
      loose.push({ call: 'messages.get', threadId: null, targets: [target] });
      continue;
    }
    const group = groups.get(target.threadId);
    if (group) group.push(target);
    else groups.set(target.threadId, [target]);
  }
  const calls: FetchCall[] = [];
  for (const [threadId, group] of groups) {
    if (byThread && threadId !== null && group.length + (later.get(threadId) ?? 0) >= THREAD_FETCH_MIN) calls.push({ call: 'threads.get', threadId, targets: group });
    else calls.push({ call: 'messages.get', threadId, targets: group });
  }
  return [...calls, ...loose];
}

/**
 * True when a message's historyId is at or before `h0`: nothing has touched it since the full
 * sync's starting point, so it belongs to the backlog the listing covers. A message touched later
 * is left to the listing and to the incremental sync that starts from `h0`.
 */
export function untouchedSince(historyId: string | null | undefined, h0: string): boolean {
  if (!historyId || !/^\d+$/.test(historyId) || !/^\d+$/.test(h0)) return false;
  return BigInt(historyId) <= BigInt(h0);
}
