/**
 * Replays message events over an empty mailbox and checks the log is exactly-once:
 * no duplicate ids, no sequence gaps, a created only for an absent message, an update whose
 * previousLabelIds equal the replayed state, a delete only of a present message. The folded
 * result must equal the server's truth.
 */
import type { MailmonEvent } from '../../src/core/events.js';

export interface FoldResult {
  messages: Array<{ id: string; labelIds: string[] }>;
  problems: string[];
}

export function foldEvents(events: MailmonEvent[]): FoldResult {
  const problems: string[] = [];
  const seen = new Set<string>();
  events.forEach((event, index) => {
    if (seen.has(event.id)) problems.push(`duplicate event id ${event.id}`);
    seen.add(event.id);
    if (index > 0 && event.sequence !== events[index - 1].sequence + 1) problems.push(`sequence gap before ${event.sequence}`);
  });
  if (events.length > 0 && events[0].sequence !== 1) problems.push(`log starts at ${events[0].sequence}`);
  const state = new Map<string, string[]>();
  const key = (labels: string[]) => [...labels].sort().join(',');
  for (const event of events) {
    if (event.type === 'message.created') {
      if (state.has(event.data.providerMessageId)) problems.push(`created twice: ${event.data.providerMessageId} (seq ${event.sequence})`);
      state.set(event.data.providerMessageId, [...event.data.labelIds].sort());
    } else if (event.type === 'message.updated') {
      const current = state.get(event.data.providerMessageId);
      if (!current) problems.push(`update of unknown ${event.data.providerMessageId} (seq ${event.sequence})`);
      else if (key(current) !== key(event.data.previousLabelIds)) problems.push(`update of ${event.data.providerMessageId} from [${event.data.previousLabelIds}] but it was [${current}] (seq ${event.sequence})`);
      if (event.data.labelsAdded.length + event.data.labelsRemoved.length === 0) problems.push(`no-op update (seq ${event.sequence})`);
      state.set(event.data.providerMessageId, [...event.data.labelIds].sort());
    } else if (event.type === 'message.deleted') {
      if (!state.has(event.data.providerMessageId)) problems.push(`delete of unknown ${event.data.providerMessageId} (seq ${event.sequence})`);
      state.delete(event.data.providerMessageId);
    }
  }
  return { messages: [...state].map(([id, labelIds]) => ({ id, labelIds })).sort((a, b) => a.id.localeCompare(b.id)), problems };
}
