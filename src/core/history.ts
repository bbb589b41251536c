/**
 * Collapses a run of Gmail history records into what to do per message (the lieer way):
 * a message deleted at any point in the run is deleted (if it was added in the same run, it
 * is simply never fetched); any other touched message is fetched for its current state.
 * Collapsing makes re-applying the same history a no-op at the diff stage. Pure.
 */

export interface HistoryMessageRef {
  id?: string | null;
  threadId?: string | null;
  labelIds?: string[] | null;
}

export interface HistoryRecord {
  id?: string | null;
  messages?: HistoryMessageRef[] | null;
  messagesAdded?: Array<{ message?: HistoryMessageRef | null }> | null;
  messagesDeleted?: Array<{ message?: HistoryMessageRef | null }> | null;
  labelsAdded?: Array<{ message?: HistoryMessageRef | null; labelIds?: string[] | null }> | null;
  labelsRemoved?: Array<{ message?: HistoryMessageRef | null; labelIds?: string[] | null }> | null;
}

export interface CollapsedHistory {
  /** Messages to fetch, with whether they were added inside this run (visibility lag is expected then). */
  fetch: Map<string, { addedInRun: boolean; threadId: string | null }>;
  /** Messages permanently deleted during the run. */
  deleted: Map<string, { threadId: string | null }>;
  /** Every label id mentioned, to spot labels missing from the local registry. */
  labelIds: Set<string>;
  records: number;
}

export function emptyCollapse(): CollapsedHistory {
  return { fetch: new Map(), deleted: new Map(), labelIds: new Set(), records: 0 };
}

/** Folds one page of records into `into` (pages are folded in order). */
export function collapseHistory(records: readonly HistoryRecord[], into: CollapsedHistory = emptyCollapse()): CollapsedHistory {
  const touch = (ref: HistoryMessageRef | null | undefined, added: boolean) => {
    if (!ref?.id || into.deleted.has(ref.id)) return;
    const existing = into.fetch.get(ref.id);
    into.fetch.set(ref.id, { addedInRun: (existing?.addedInRun ?? false) || added, threadId: ref.threadId ?? existing?.threadId ?? null });
    for (const label of ref.labelIds ?? []) into.labelIds.add(label);
  };
  for (const record of records) {
    into.records += 1;
    for (const entry of record.messagesAdded ?? []) touch(entry.message, true);
    for (const entry of [...(record.labelsAdded ?? []), ...(record.labelsRemoved ?? [])]) {
      touch(entry.message, false);
      for (const label of entry.labelIds ?? []) into.labelIds.add(label);
    }
    for (const entry of record.messagesDeleted ?? []) {
      const id = entry.message?.id;
      if (!id) continue;
      const threadId = entry.message?.threadId ?? into.fetch.get(id)?.threadId ?? null;
      into.fetch.delete(id);
      into.deleted.set(id, { threadId });
    }
  }
  return into;
}
