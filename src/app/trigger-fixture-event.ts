/**
 * `mailmon trigger EVENT`: a realistic change in a fixture mailbox, like `stripe trigger`. The
 * change happens on the fixture server only; mailmon's own sync then sees it through the real
 * pipeline (history.list → diff → event), so the event that arrives is the one production emits.
 *
 *   message.created         sends a new message (also a thread.updated for its new thread)
 *   message.updated         flips UNREAD on the newest message, or adds/removes --label
 *   message.deleted         permanently deletes the newest message
 *   thread.updated          replies into the newest thread (also a message.created)
 *   mailbox.resynced        expires the history: the next sync answers 404 and resyncs in full
 *   mailbox.status_changed  revokes the mailbox's tokens: the next sync marks it reauth_required
 *
 * Overrides (`--override key=value`, `--from`, `--label`) shape the change, like stripe's.
 */
import { MailmonError } from '../core/errors.js';
import type { FixtureControl, SendInput } from './ports/fixture-servers.js';

export const TRIGGERS = {
  'message.created': 'sends a new message into INBOX (also thread.updated for its thread)',
  'message.updated': 'marks the newest message read/unread, or adds/removes --label',
  'message.deleted': 'permanently deletes the newest message',
  'thread.updated': 'replies into the newest thread (also message.created for the reply)',
  'mailbox.resynced': 'expires the mailbox history, so the next sync resyncs in full',
  'mailbox.status_changed': 'revokes the mailbox tokens, so the next sync marks it reauth_required',
} as const;
export type TriggerEvent = keyof typeof TRIGGERS;
export const TRIGGER_EVENTS = Object.keys(TRIGGERS) as TriggerEvent[];

/** What `--override` accepts, and which events use each key. */
export const OVERRIDE_KEYS = {
  subject: 'subject of the new message (message.created, thread.updated)',
  text: 'plain-text body (message.created, thread.updated)',
  from: 'From header (message.created, thread.updated)',
  to: 'To header (message.created, thread.updated)',
  labelIds: 'comma-separated label ids: of the new message, or the labels message.updated toggles',
  threadId: 'the thread to reply into (thread.updated; message.created then replies too)',
  id: 'the message to change (message.updated, message.deleted; default the newest)',
} as const;
export type OverrideKey = keyof typeof OVERRIDE_KEYS;
export type TriggerOverrides = Partial<Record<OverrideKey, string>>;

export interface TriggerResult {
  event: TriggerEvent;
  mailbox: string;
  id?: string;
  threadId?: string;
  historyId: string;
  labelIds?: string[];
  change: string;
}

/** Parses `key=value` overrides; `--from` and `--label` are shorthands that win over them. */
export function parseOverrides(specs: string[], shorthands: { from?: string; labels?: string[] } = {}): TriggerOverrides {
  const overrides: TriggerOverrides = {};
  for (const spec of specs) {
    const at = spec.indexOf('=');
    const key = (at > 0 ? spec.slice(0, at) : spec).trim();
    if (at <= 0 || !(key in OVERRIDE_KEYS)) {
      const shown = spec.length > 60 ? `${spec.slice(0, 57)}…` : spec;
      throw new MailmonError('usage', `Cannot use --override "${shown}".`, { hint: `Write key=value with a key from: ${Object.keys(OVERRIDE_KEYS).join(', ')} (e.g. --override subject="Invoice 42").` });
    }
    overrides[key as OverrideKey] = spec.slice(at + 1);
  }
  if (shorthands.from !== undefined) overrides.from = shorthands.from;
  if (shorthands.labels && shorthands.labels.length > 0) overrides.labelIds = shorthands.labels.join(',');
  return overrides;
}

function labelList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((label) => label.trim()).filter(Boolean);
}

async function targetMessage(control: FixtureControl, mailbox: string | undefined, id: string | undefined): Promise<{ id: string; threadId: string; labelIds: string[] }> {
  const snapshot = await control.snapshot({ mailbox });
  if (id !== undefined) {
    const found = snapshot.messages.find((message) => message.id === id);
    if (!found) throw new MailmonError('not_found', `No message ${id} in the fixture mailbox ${snapshot.emailAddress}.`, { hint: 'List its messages with "mailmon fixtures messages".' });
    return found;
  }
  // Ids start with the hex timestamp, so the greatest id is the newest message.
  const live = snapshot.messages.filter((message) => !message.labelIds.includes('TRASH') && !message.labelIds.includes('SPAM'));
  const newest = (live.length > 0 ? live : snapshot.messages).at(-1);
  if (!newest) throw new MailmonError('not_found', `The fixture mailbox ${snapshot.emailAddress} has no messages to change.`, { hint: 'Create one first: mailmon trigger message.created' });
  return newest;
}

function sendInput(mailbox: string | undefined, overrides: TriggerOverrides, defaults: { subject?: string; text: string }): SendInput {
  return {
    mailbox,
    subject: overrides.subject ?? defaults.subject,
    text: overrides.text ?? defaults.text,
    ...(overrides.from !== undefined ? { from: overrides.from } : {}),
    ...(overrides.to !== undefined ? { to: overrides.to } : {}),
    ...(overrides.threadId !== undefined ? { threadId: overrides.threadId } : {}),
    ...(overrides.labelIds !== undefined ? { labelIds: labelList(overrides.labelIds) } : {}),
  };
}

export async function triggerFixtureEvent(control: FixtureControl, event: TriggerEvent, mailbox?: string, overrides: TriggerOverrides = {}): Promise<TriggerResult> {
  switch (event) {
    case 'message.created': {
      const sent = await control.send(sendInput(mailbox, overrides, { subject: 'Triggered by mailmon', text: 'A new message created by "mailmon trigger message.created".' }));
      return { event, mailbox: sent.mailbox, id: sent.id, threadId: sent.threadId, historyId: sent.historyId, change: `new message${overrides.subject !== undefined ? ` "${overrides.subject}"` : ''} (messageAdded)` };
    }
    case 'thread.updated': {
      const threadId = overrides.threadId ?? (await targetMessage(control, mailbox, overrides.id)).threadId;
      // No default subject: the fixture answers "Re: <thread subject>", as a mail client would.
      const sent = await control.send(sendInput(mailbox, { ...overrides, threadId }, { text: 'A reply added by "mailmon trigger thread.updated".' }));
      return { event, mailbox: sent.mailbox, id: sent.id, threadId: sent.threadId, historyId: sent.historyId, change: `reply in thread ${sent.threadId} (messageAdded)` };
    }
    case 'message.updated': {
      const target = await targetMessage(control, mailbox, overrides.id);
      const labels = labelList(overrides.labelIds) ?? ['UNREAD'];
      const present = labels.every((label) => target.labelIds.includes(label));
      const result = await control.modify({ mailbox, id: target.id, ...(present ? { removeLabelIds: labels } : { addLabelIds: labels }) });
      return { event, mailbox: result.mailbox, id: result.id, threadId: result.threadId, historyId: result.historyId, labelIds: result.labelIds, change: `${present ? 'labelRemoved' : 'labelAdded'} ${labels.join(',')}` };
    }
    case 'message.deleted': {
      const target = await targetMessage(control, mailbox, overrides.id);
      const deleted = await control.delete({ mailbox, id: target.id });
      return { event, mailbox: deleted.mailbox, id: deleted.id, threadId: deleted.threadId, historyId: deleted.historyId, change: 'permanently deleted (messageDeleted)' };
    }
    case 'mailbox.resynced': {
      const expired = await control.expireHistory({ mailbox });
      return { event, mailbox: expired.mailbox, historyId: expired.historyId, change: 'history expired; the next sync resyncs in full' };
    }
    case 'mailbox.status_changed': {
      const revoked = await control.revokeToken({ mailbox });
      const status = await control.status();
      const historyId = status.mailboxes.find((entry) => entry.emailAddress.toLowerCase() === revoked.mailbox.toLowerCase())?.historyId ?? '';
      return { event, mailbox: revoked.mailbox, historyId, change: `${revoked.revoked} token(s) revoked; the next sync marks it reauth_required` };
    }
  }
}
