/**
 * `mailmon trigger EVENT`: a realistic change in a fixture mailbox, like `stripe trigger`.
 * message.created sends a new message; message.updated flips UNREAD on the newest message
 * (a label change); message.deleted permanently deletes the newest message.
 */
import { MailmonError } from '../core/errors.js';
import type { FixtureControlApi } from '../fixtures/control-api.js';

export const TRIGGER_EVENTS = ['message.created', 'message.updated', 'message.deleted'] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

export interface TriggerResult {
  event: TriggerEvent;
  mailbox: string;
  id: string;
  threadId: string;
  historyId: string;
  labelIds?: string[];
  change: string;
}

async function newestMessage(control: FixtureControlApi, mailbox: string | undefined): Promise<{ id: string; threadId: string; labelIds: string[] }> {
  const snapshot = await control.snapshot({ mailbox });
  // Ids start with the hex timestamp, so the greatest id is the newest message.
  const live = snapshot.messages.filter((message) => !message.labelIds.includes('TRASH') && !message.labelIds.includes('SPAM'));
  const newest = (live.length > 0 ? live : snapshot.messages).at(-1);
  if (!newest) throw new MailmonError('not_found', `The fixture mailbox ${snapshot.emailAddress} has no messages to change.`, { hint: 'Create one first: mailmon trigger message.created' });
  return newest;
}

export async function triggerFixtureEvent(control: FixtureControlApi, event: TriggerEvent, mailbox?: string): Promise<TriggerResult> {
  if (event === 'message.created') {
    const sent = await control.send({ mailbox, subject: 'Triggered by mailmon', text: 'A new message created by "mailmon trigger message.created".' });
    return { event, mailbox: sent.mailbox, id: sent.id, threadId: sent.threadId, historyId: sent.historyId, change: 'new message in INBOX (messageAdded)' };
  }
  const target = await newestMessage(control, mailbox);
  if (event === 'message.updated') {
    const unread = target.labelIds.includes('UNREAD');
    const result = await control.modify({ mailbox, id: target.id, ...(unread ? { removeLabelIds: ['UNREAD'] } : { addLabelIds: ['UNREAD'] }) });
    return { event, mailbox: result.mailbox, id: result.id, threadId: result.threadId, historyId: result.historyId, labelIds: result.labelIds, change: unread ? 'marked read (labelRemoved UNREAD)' : 'marked unread (labelAdded UNREAD)' };
  }
  const deleted = await control.delete({ mailbox, id: target.id });
  return { event, mailbox: deleted.mailbox, id: deleted.id, threadId: deleted.threadId, historyId: deleted.historyId, change: 'permanently deleted (messageDeleted)' };
}
